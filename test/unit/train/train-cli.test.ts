/**
 * `lab train` end to end on a small real slice (XQuAD-R de/en/zh, first four
 * articles, train/test split by article), from a generated model: the
 * outputs the issue lists, a base and a trained evaluation, an exported
 * model that `lab eval` reads back to the same numbers, a resume after
 * SIGTERM that equals the uninterrupted run, and inputs refused before any step.
 */
import { resultsInFile } from '../../../src/core/eval/results-schema.ts';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { run as train } from '../../../src/cli/commands/train.ts';
import { run as evalCommand } from '../../../src/cli/commands/eval.ts';
import { writeXquadSlice } from '../../support/xquad-slice.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TOKENIZER = fileURLToPath(new URL('../../../../shared/models/mbert-cased-tokenizer/tokenizer.json', import.meta.url));
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

let dir: string;
let configPath: string;
let config: Record<string, unknown>;

async function quiet<T>(f: () => Promise<T>): Promise<{ value?: T; error?: string }> {
  const spies = [vi.spyOn(console, 'log').mockImplementation(() => {}), vi.spyOn(console, 'error').mockImplementation(() => {}),
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true)];
  try {
    return { value: await f() };
  } catch (e) {
    return { error: (e as Error).message };
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'train-cli-'));
  const { files } = writeXquadSlice(join(dir, 'data'), { langs: ['de', 'en', 'zh'], articles: 4 });
  const shards = files.map((f) => ({ name: `data/${f.split('/').pop()}`, sha256: sha(f) }));
  writeFileSync(join(dir, 'tokenizer.json'), readFileSync(TOKENIZER));
  config = {
    version: 1, kind: 'train',
    model: { source: 'generated', architecture: { layers: 1, hidden: 32, heads: 4, intermediate: 64, maxPositions: 48 }, tokenizer: { name: 'tokenizer.json', sha256: sha(TOKENIZER) } },
    datasets: [{ name: 'slice-test', split: 'test', shards }],
    tokenization: { maxLength: 48, queryPrefix: 'query: ', passagePrefix: 'passage: ' },
    backend: 'wasm', seed: 5,
    train: { data: [{ name: 'slice-train', split: 'train', shards }], batchSize: 8, steps: 6, lr: 1e-3, warmupSteps: 2, checkpointEvery: 3, splitFractions: { train: 0.75, validation: 0, test: 0.25 } },
  };
  configPath = join(dir, 'run.json');
  writeFileSync(configPath, JSON.stringify(config));
});

interface CardResults { config: { seed: number; train: { sampler: string } }; trained: { description: { dataset: string }; settings: Record<string, { macro: Record<string, number> }>; languageBias: { macro: number } }[] }

/**
 * The model card: its YAML front matter parsed by PyYAML (Debian's python3-yaml, an independent parser), with the
 * layout sentence-transformers writes, and every number equal to the results object's.
 */
function checkModelCard(text: string, res: CardResults): void {
  const m = /^---\n([\s\S]*?)\n---\n/.exec(text);
  expect(m, 'front matter').not.toBeNull();
  const py = spawnSync('/usr/bin/python3', ['-c', 'import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))'], { input: m![1], encoding: 'utf8' });
  expect(py.status, py.stderr).toBe(0);
  const y = JSON.parse(py.stdout) as { language: string[]; library_name: string; pipeline_tag: string; datasets: string[]; tags: string[]; 'model-index': { results: { task: { name: string }; dataset: { name: string; config: string }; metrics: { type: string; value: number }[] }[] }[] };
  expect(y.library_name).toBe('sentence-transformers');
  expect(y.pipeline_tag).toBe('sentence-similarity');
  expect(y.language).toEqual(['de', 'en', 'zh']);
  expect(y.datasets).toEqual(['slice-train', 'slice-test']);
  expect(y.tags).toContain(`sampler-${res.config.train.sampler}`);
  const results = y['model-index'][0]!.results;
  expect(results.map((r) => r.dataset.config)).toEqual(['mono', 'cross', 'multi']);
  for (const r of results) {
    const want = res.trained[0]!.settings[r.dataset.config]!.macro;
    for (const metric of r.metrics) expect(metric.value).toBeCloseTo(want[metric.type]!, 6);
  }
  expect(text).toContain(`SentenceTransformer("path/to/this/folder")`);
  expect(text).toContain(`| held out of training | none |`);
  expect(text).toMatch(/\| de-de \| \d\.\d{3} \| \d\.\d{3} \| \d+ \|/);
  expect(text).toContain(`**${res.trained[0]!.languageBias.macro.toFixed(2)}**`);
  expect(text).toMatch(/- polyglot-lab 0\.1\.0\n- @tensorflow\/tfjs \d+\.\d+\.\d+/);
  expect(text).toContain(`"seed": ${res.config.seed}`);
}

describe('lab train', () => {
  it('writes config, history, checkpoint, base and trained results, and an exported model lab eval can load', async () => {
    const out = join(dir, 'out');
    const r = await quiet(() => train(['--config', configPath, '--out', out]));
    expect(r.error).toBeUndefined();
    expect(r.value).toBe(0);
    const history = readFileSync(join(out, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(history).toHaveLength(6);
    for (const k of ['step', 'loss', 'alpha', 'lr', 'batch_type', 'grad_norm', 'examples']) expect(history[0]).toHaveProperty(k);
    expect(JSON.parse(readFileSync(join(out, 'checkpoint', 'state.json'), 'utf8'))).toMatchObject({ step: 6, historyLength: 6 });
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { base: { settings: Record<string, { macro: { map: number } }> }[]; trained: typeof res.base; config: { kind: string } };
    expect(res.config.kind).toBe('train');
    expect(res.base).toHaveLength(1);
    expect(res.trained[0]!.settings.multi!.macro.map).not.toBe(res.base[0]!.settings.multi!.macro.map);
    // The page opens this file: both results objects pass its schema, marked base and trained.
    expect(resultsInFile(readFileSync(join(out, 'results.json'), 'utf8'), 'results.json').map((x) => x.role)).toEqual(['base', 'trained']);
    for (const k of ['epoch']) expect(history[0]).toHaveProperty(k);
    const dsFiles = (config.datasets as { shards: { name: string }[] }[])[0]!.shards.map((s) => join(dir, s.name));
    expect(existsSync(join(out, 'model', 'model.safetensors'))).toBe(true);
    checkModelCard(readFileSync(join(out, 'model', 'README.md'), 'utf8'), JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as CardResults);
    const evalOut = join(dir, 'eval.json');
    const e = await quiet(() => evalCommand(['--model', join(out, 'model'), ...dsFiles, '--out', evalOut, '--max-length', '48']));
    expect(e.value).toBe(0);
  });

  it('resumes after SIGTERM and ends exactly where an uninterrupted run ends', async () => {
    const whole = JSON.parse(readFileSync(join(dir, 'out', 'results.json'), 'utf8')) as { trained: { settings: Record<string, { macro: { map: number } }> }[] };
    const wholeHistory = readFileSync(join(dir, 'out', 'history.jsonl'), 'utf8');
    const out = join(dir, 'out2');
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/lab.ts'), 'train', '--config', configPath, '--out', out], { cwd: ROOT, stdio: 'ignore' });
    const state = join(out, 'checkpoint', 'state.json');
    const started = Date.now();
    while (!existsSync(state) && Date.now() - started < 90_000) await new Promise((r) => setTimeout(r, 20));
    const code = await new Promise<number | null>((resolve) => { child.on('exit', (c) => resolve(c)); child.kill('SIGTERM'); });
    expect([143, 0]).toContain(code); // 0 only if it finished in the meantime
    const r = await quiet(() => train(['--resume', out]));
    expect(r.error).toBeUndefined();
    expect(readFileSync(join(out, 'history.jsonl'), 'utf8')).toBe(wholeHistory);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as typeof whole;
    expect(res.trained[0]!.settings).toEqual(whole.trained[0]!.settings);
  });

  it('validates every N steps: losses per setting, validation mAP and rank distance, and the adaptive alpha moves within its bounds', async () => {
    const c = structuredClone(config) as { train: Record<string, unknown> };
    c.train = { ...c.train, splitFractions: { train: 0.5, validation: 0.25, test: 0.25 }, validateEvery: 2, validationBatches: 2,
      alpha: { kind: 'adaptive', initial: 0.5, min: 0.3, max: 0.7, rate: 0.5, signal: 'loss' } };
    const p = join(dir, 'adaptive.json');
    writeFileSync(p, JSON.stringify(c));
    const out = join(dir, 'out-adaptive');
    const r = await quiet(() => train(['--config', p, '--out', out]));
    expect(r.error).toBeUndefined();
    const h = readFileSync(join(out, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
    const validated = h.filter((e) => e.val_loss_mono !== undefined);
    expect(validated.map((e) => e.step)).toEqual([2, 4, 6]);
    for (const e of validated) {
      for (const k of ['val_loss_mono', 'val_loss_cross', 'val_map_mono', 'val_map_cross', 'val_map_multi', 'val_rank_distance']) expect(Number.isFinite(e[k])).toBe(true);
    }
    // alpha of step 3 = clip(0.5 + 0.5 · (L_mono − L_cross) / (L_mono + L_cross), 0.3, 0.7) after the step-2 validation.
    const v = validated[0]!;
    const want = Math.min(0.7, Math.max(0.3, 0.5 + 0.5 * (v.val_loss_mono! - v.val_loss_cross!) / (v.val_loss_mono! + v.val_loss_cross!)));
    expect(h[2]!.alpha).toBeCloseTo(want, 12);
    expect(h[0]!.alpha).toBe(0.5);
    for (const e of h) expect(e.alpha).toBeGreaterThanOrEqual(0.3);
  });

  it('stops early when the validation loss stops falling, and says so in the results', async () => {
    const c = structuredClone(config) as { train: Record<string, unknown> };
    // A learning rate far too high: the validation loss cannot keep falling.
    c.train = { ...c.train, steps: 20, lr: 0.5, warmupSteps: 0, maxGradNorm: 1e6, splitFractions: { train: 0.5, validation: 0.25, test: 0.25 }, validateEvery: 1, validationBatches: 1, earlyStoppingPatience: 2 };
    const p = join(dir, 'early.json');
    writeFileSync(p, JSON.stringify(c));
    const out = join(dir, 'out-early');
    const r = await quiet(() => train(['--config', p, '--out', out]));
    expect(r.error).toBeUndefined();
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { steps: number; stoppedEarly?: { step: number; bestLoss: number } };
    expect(res.stoppedEarly).toBeDefined();
    expect(res.steps).toBe(res.stoppedEarly!.step);
    expect(res.steps).toBeLessThan(20);
    const h = readFileSync(join(out, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { val_loss_mono: number; val_loss_cross: number });
    expect(h).toHaveLength(res.steps);
    // The last two validations were no better than the best before them.
    const v = h.map((e) => (e.val_loss_mono + e.val_loss_cross) / 2);
    const best = Math.min(...v.slice(0, -2));
    expect(Math.min(v.at(-1)!, v.at(-2)!)).toBeGreaterThanOrEqual(best);
    expect(res.stoppedEarly!.bestLoss).toBeCloseTo(Math.min(...v), 10);
  });

  it('refuses bad inputs before any step, naming the entry', async () => {
    const write = (c: unknown) => { const p = join(dir, `bad-${Math.random().toString(36).slice(2)}.json`); writeFileSync(p, JSON.stringify(c)); return p; };
    const badHash = structuredClone(config) as { datasets: { shards: { sha256: string }[] }[] };
    badHash.datasets[0]!.shards[0]!.sha256 = '0'.repeat(64);
    expect((await quiet(() => train(['--config', write(badHash), '--out', join(dir, 'x')]))).error).toMatch(/(train\.data|datasets)\[0\]\.shards\[0\]: "data\/de\.json" has SHA-256 .* not the 000000000000… the config records/);
    expect((await quiet(() => train(['--config', write({ ...config, train: { ...(config.train as object), alpha: { kind: 'constant', alpha: 2 } } }), '--out', join(dir, 'x')]))).error).toMatch(/train\.alpha\.alpha/);
    expect((await quiet(() => train(['--config', write({ ...config, train: { ...(config.train as object), batchSize: 3000 } }), '--out', join(dir, 'x')]))).error).toMatch(/batch size 3000 is larger than/);
    expect((await quiet(() => train(['--config', write({ ...config, train: { ...(config.train as object), heldOutLanguages: ['fr'] } }), '--out', join(dir, 'x')]))).error).toMatch(/held-out language "fr" is not in dataset/);
    expect((await quiet(() => train(['--config', write({ ...config, train: { ...(config.train as object), sampler: 'xy', heldOutLanguages: ['de', 'en'] } }), '--out', join(dir, 'x')]))).error).toMatch(/X-Y batches need two or more training languages/);
    expect((await quiet(() => train(['--config', write({ ...config, train: { ...(config.train as object), alpha: { kind: 'adaptive', initial: 0.5, min: 0, max: 1, rate: 0.1, signal: 'loss' } } }), '--out', join(dir, 'x')]))).error).toMatch(/train\.validateEvery: RunConfig: the adaptive alpha and early stopping need validations/);
    expect(existsSync(join(dir, 'x', 'history.jsonl'))).toBe(false);
  });
});
