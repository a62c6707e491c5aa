/**
 * `lab train` end to end on a small real slice (XQuAD-R de/en/zh, first four
 * articles, train/test split by article), from a generated model: the
 * outputs the issue lists, a base and a trained evaluation, an exported
 * model that `lab eval` reads back to the same numbers, a resume after
 * SIGTERM that equals the uninterrupted run, and inputs refused before any step.
 */
import { spawn } from 'node:child_process';
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
    const dsFiles = (config.datasets as { shards: { name: string }[] }[])[0]!.shards.map((s) => join(dir, s.name));
    expect(existsSync(join(out, 'model', 'model.safetensors'))).toBe(true);
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

  it('refuses bad inputs before any step, naming the entry', async () => {
    const write = (c: unknown) => { const p = join(dir, `bad-${Math.random().toString(36).slice(2)}.json`); writeFileSync(p, JSON.stringify(c)); return p; };
    const badHash = structuredClone(config) as { datasets: { shards: { sha256: string }[] }[] };
    badHash.datasets[0]!.shards[0]!.sha256 = '0'.repeat(64);
    expect((await quiet(() => train(['--config', write(badHash), '--out', join(dir, 'x')]))).error).toMatch(/(train\.data|datasets)\[0\]\.shards\[0\]: "data\/de\.json" has SHA-256 .* not the 000000000000… the config records/);
    expect((await quiet(() => train(['--config', write({ ...config, train: { ...(config.train as object), alpha: { kind: 'constant', alpha: 2 } } }), '--out', join(dir, 'x')]))).error).toMatch(/train\.alpha\.alpha/);
    expect((await quiet(() => train(['--config', write({ ...config, train: { ...(config.train as object), batchSize: 3000 } }), '--out', join(dir, 'x')]))).error).toMatch(/batch size 3000 is larger than/);
    expect((await quiet(() => train(['--config', write({ ...config, train: { ...(config.train as object), heldOutLanguages: ['fr'] } }), '--out', join(dir, 'x')]))).error).toMatch(/held-out language "fr" is not in dataset/);
    expect((await quiet(() => train(['--config', write({ ...config, train: { ...(config.train as object), sampler: 'xy', heldOutLanguages: ['de', 'en'] } }), '--out', join(dir, 'x')]))).error).toMatch(/X-Y batches need two or more training languages/);
    expect(existsSync(join(dir, 'x', 'history.jsonl'))).toBe(false);
  });
});
