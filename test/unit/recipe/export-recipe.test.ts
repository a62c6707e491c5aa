/**
 * `lab export-recipe` and its Python sampler. The project is written for a
 * real slice (XQuAD-R de/en/zh/… from the train split, a generated model):
 * the files, the training pool as JSONL, the generated start model, Python
 * sources that compile. Then hybrid_sampler.py, run by Debian's
 * python3-torch over the exported pool, must draw batches with the same
 * statistics as the TypeScript sampler over the app's pool for the same
 * config: share of X-X batches (and its course under a linear schedule),
 * languages and language pairs drawn, batch sizes, and — exactly — no group
 * or passage twice in a batch, one language per X-X batch, one (x, y), x ≠ y,
 * per X-Y batch. The two use different generators, so frequencies are
 * compared within four standard errors (600 batches).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { run as exportRecipe } from '../../../src/cli/commands/export-recipe.ts';
import { BatchSampler, type SamplerKind } from '../../../src/core/train/samplers/index.ts';
import { alphaAt, type AlphaSchedule } from '../../../src/core/train/schedules.ts';
import { prepareTrainingData, asTrainConfig } from '../../../src/core/train/run.ts';
import { parseRunConfig } from '../../../src/core/run-config.ts';
import { datasetOfRef } from '../../../src/node/run-inputs.ts';
import type { TrainingPool } from '../../../src/core/train/pool.ts';
import { writeXquadSlice } from '../../support/xquad-slice.ts';
import { quietly } from '../../support/quiet.ts';

const TOKENIZER = fileURLToPath(new URL('../../../../shared/models/mbert-cased-tokenizer/tokenizer.json', import.meta.url));
const PYTHON = '/usr/bin/python3';
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
const torch = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;

interface Stats { batches: number; mono: number; monoFirstHalf: number; monoSecondHalf: number; size: number; queryLang: Record<string, number>; crossPair: Record<string, number>; violations: string[] }

const BATCHES = 600;
const BATCH = 8;

function tsStats(pool: TrainingPool, kind: SamplerKind, crossMode: 'batch' | 'pair', schedule: AlphaSchedule, seed: number): Stats {
  const s = new BatchSampler(pool, { kind, batchSize: BATCH, crossMode }, { seed });
  const st: Stats = { batches: BATCHES, mono: 0, monoFirstHalf: 0, monoSecondHalf: 0, size: 0, queryLang: {}, crossPair: {}, violations: [] };
  let pairs = 0;
  for (let i = 0; i < BATCHES; i++) {
    const b = s.next(alphaAt(schedule, i));
    const mono = b.kind === 'mono';
    if (mono) { st.mono++; if (i < BATCHES / 2) st.monoFirstHalf++; else st.monoSecondHalf++; }
    st.size += b.pairs.length;
    if (new Set(b.pairs.map((p) => p.group)).size !== b.pairs.length) st.violations.push(`batch ${i}: a group twice`);
    if (new Set(b.pairs.map((p) => p.positive)).size !== b.pairs.length) st.violations.push(`batch ${i}: a passage twice`);
    const langsOfBatch = new Set(b.pairs.map((p) => `${p.queryLang}-${p.passageLang}`));
    if (mono && (langsOfBatch.size > 1 || b.pairs.some((p) => p.queryLang !== p.passageLang))) st.violations.push(`batch ${i}: X-X not one language`);
    if (b.kind === 'cross' && b.pairs.some((p) => p.queryLang === p.passageLang)) st.violations.push(`batch ${i}: X-Y with x = y`);
    if (b.kind === 'cross' && crossMode === 'batch' && langsOfBatch.size > 1) st.violations.push(`batch ${i}: X-Y batch mixes pairs`);
    for (const p of b.pairs) {
      st.queryLang[p.queryLang] = (st.queryLang[p.queryLang] ?? 0) + 1;
      if (p.queryLang !== p.passageLang) st.crossPair[`${p.queryLang}-${p.passageLang}`] = (st.crossPair[`${p.queryLang}-${p.passageLang}`] ?? 0) + 1;
      pairs++;
    }
  }
  return normalize(st, pairs);
}

function normalize(st: Stats, pairs: number): Stats {
  const share = (r: Record<string, number>, n: number) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v / n]));
  const crossTotal = Object.values(st.crossPair).reduce((a, b) => a + b, 0) || 1;
  return { ...st, mono: st.mono / st.batches, monoFirstHalf: st.monoFirstHalf / (st.batches / 2), monoSecondHalf: st.monoSecondHalf / (st.batches / 2), size: st.size / st.batches, queryLang: share(st.queryLang, pairs), crossPair: share(st.crossPair, crossTotal) };
}

const PY_STATS = String.raw`
import json, sys
sys.path.insert(0, sys.argv[1])
from hybrid_sampler import HybridBatchSampler, pair_table
args = json.loads(sys.argv[2])
groups = [json.loads(l) for l in open(args["groups"], encoding="utf-8")]
table = pair_table(groups)
s = HybridBatchSampler(groups, args["languages"], args["batch"], kind=args["kind"], cross_mode=args["crossMode"],
                       schedule=args["schedule"], steps=args["batches"], seed=args["seed"])
st = {"batches": args["batches"], "mono": 0, "monoFirstHalf": 0, "monoSecondHalf": 0, "size": 0, "queryLang": {}, "crossPair": {}, "violations": []}
pairs = 0
for i, batch in enumerate(s):
    triples = [table[k] for k in batch]
    if s.last_was_mono:
        st["mono"] += 1
        st["monoFirstHalf" if i < args["batches"] // 2 else "monoSecondHalf"] += 1
    st["size"] += len(batch)
    if len({g for g, _, _ in triples}) != len(triples): st["violations"].append("batch %d: a group twice" % i)
    passages = [groups[g]["langs"][y]["positive"] for g, _, y in triples]
    if len(set(passages)) != len(passages): st["violations"].append("batch %d: a passage twice" % i)
    pl = {(x, y) for _, x, y in triples}
    if s.last_was_mono and (len(pl) > 1 or any(x != y for x, y in pl)): st["violations"].append("batch %d: X-X not one language" % i)
    if not s.last_was_mono and s.kind in ("xy", "hybrid") and any(x == y for x, y in pl): st["violations"].append("batch %d: X-Y with x = y" % i)
    if not s.last_was_mono and s.kind in ("xy", "hybrid") and args["crossMode"] == "batch" and len(pl) > 1: st["violations"].append("batch %d: X-Y batch mixes pairs" % i)
    for _, x, y in triples:
        st["queryLang"][x] = st["queryLang"].get(x, 0) + 1
        if x != y: st["crossPair"][x + "-" + y] = st["crossPair"].get(x + "-" + y, 0) + 1
        pairs += 1
print(json.dumps({"stats": st, "pairs": pairs}))
`;

describe('export-recipe', () => {
  let dir: string;
  let configPath: string;
  let out: string;
  let pool: TrainingPool;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'recipe-'));
    const { files } = writeXquadSlice(join(dir, 'data'), { langs: ['de', 'en', 'es', 'zh'], articles: 6 });
    const shards = files.map((f) => ({ name: `data/${f.split('/').pop()}`, sha256: sha(f) }));
    writeFileSync(join(dir, 'tokenizer.json'), readFileSync(TOKENIZER));
    const config = {
      version: 1, kind: 'train', seed: 3,
      model: { source: 'generated', architecture: { layers: 1, hidden: 32, heads: 4, intermediate: 64, maxPositions: 48 }, tokenizer: { name: 'tokenizer.json', sha256: sha(TOKENIZER) } },
      datasets: [{ name: 'slice-test', split: 'test', shards }],
      train: { data: [{ name: 'slice-train', split: 'train', shards }], heldOutLanguages: ['es'], batchSize: BATCH, steps: 10, splitFractions: { train: 0.8, validation: 0, test: 0.2 } },
    };
    configPath = join(dir, 'run.json');
    writeFileSync(configPath, JSON.stringify(config));
    out = join(dir, 'recipe');
    expect(await quietly(() => exportRecipe(['--config', configPath, '--out', out]))).toBe(0);
    const c = asTrainConfig(parseRunConfig(config));
    pool = (await prepareTrainingData(c, [await datasetOfRef(c.train.data[0]!, dir, 'train.data[0]', c)], [])).pool;
  });

  it('writes the project: config, the training pool without held-out languages, the start model, Python that compiles', () => {
    for (const f of ['run_config.json', 'train_groups.jsonl', 'recipe.json', 'hybrid_sampler.py', 'train.py', 'requirements.txt', 'README.md', 'start-model/model.safetensors', 'start-model/config.json']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const groups = readFileSync(join(out, 'train_groups.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; langs: Record<string, unknown> });
    expect(groups.map((g) => g.id)).toEqual(pool.groups.map((g) => g.id));
    expect(groups.some((g) => 'es' in g.langs)).toBe(false);
    expect(JSON.parse(readFileSync(join(out, 'recipe.json'), 'utf8'))).toMatchObject({ startModel: './start-model', languages: ['de', 'en', 'zh'], heldOut: ['es'] });
    const compiled = spawnSync(PYTHON, ['-m', 'py_compile', join(out, 'train.py'), join(out, 'hybrid_sampler.py')], { encoding: 'utf8' });
    expect(compiled.status, compiled.stderr).toBe(0);
  });

  it('refuses a --model that is not a folder before writing anything', async () => {
    const target = join(dir, 'refused');
    await expect(quietly(() => exportRecipe(['--config', configPath, '--out', target, '--model', join(dir, 'run.json')]))).rejects.toThrow(/run\.json is not a model folder/);
    expect(existsSync(target)).toBe(false);
  });

  it.runIf(torch || process.env.CI).each([
    ['hybrid, alpha 0.5, one (x, y) per X-Y batch', 'hybrid', 'batch', { kind: 'constant', alpha: 0.5 }],
    ['hybrid, linear 0.9 → 0.1', 'hybrid', 'batch', { kind: 'linear', from: 0.9, to: 0.1, steps: BATCHES }],
    ['X-Y, languages per pair', 'xy', 'pair', { kind: 'constant', alpha: 0.5 }],
    ['X-X', 'xx', 'batch', { kind: 'constant', alpha: 0.5 }],
  ] as const)('the Python sampler matches the TypeScript one: %s', (_, kind, crossMode, schedule) => {
    expect(torch, "Debian's python3-torch is needed").toBe(true);
    const want = tsStats(pool, kind, crossMode, schedule as AlphaSchedule, 11);
    const r = spawnSync(PYTHON, ['-c', PY_STATS, out, JSON.stringify({ groups: join(out, 'train_groups.jsonl'), languages: pool.languages, batch: BATCH, kind, crossMode, schedule, batches: BATCHES, seed: 11 })], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const py = JSON.parse(r.stdout) as { stats: Stats; pairs: number };
    const got = normalize(py.stats, py.pairs);
    expect(got.violations).toEqual([]);
    expect(want.violations).toEqual([]);
    // Shares drawn once per batch: the standard error of a difference of two shares over N batches is at most
    // √(2 · 0.25 / N), 0.029 for 600 and 0.041 for 300; the bounds are four of them. (Both generators are seeded,
    // so the outcome is fixed; the bounds only say how far apart two correct samplers may land.)
    expect(Math.abs(got.mono - want.mono)).toBeLessThan(0.115);
    expect(Math.abs(got.monoFirstHalf - want.monoFirstHalf)).toBeLessThan(0.165);
    expect(Math.abs(got.monoSecondHalf - want.monoSecondHalf)).toBeLessThan(0.165);
    expect(Math.abs(got.size - want.size)).toBeLessThan(0.25);
    expect(Object.keys(got.queryLang).sort()).toEqual(Object.keys(want.queryLang).sort());
    for (const [l, v] of Object.entries(want.queryLang)) expect(Math.abs(got.queryLang[l]! - v), l).toBeLessThan(0.115);
    expect(Object.keys(got.crossPair).sort()).toEqual(Object.keys(want.crossPair).sort());
    for (const [p, v] of Object.entries(want.crossPair)) expect(Math.abs(got.crossPair[p]! - v), p).toBeLessThan(0.12);
    if (schedule.kind === 'linear') expect(got.monoFirstHalf - got.monoSecondHalf).toBeGreaterThan(0.25);
  });
});
