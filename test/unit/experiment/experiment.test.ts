/**
 * `lab experiment`: the statistics against hand-computed values (Holm's
 * step-down adjustment, the sample standard deviation, the seed average of
 * per-query values), the experiment file's refusals, and the command end to
 * end on a small real slice (XQuAD-R de/en/zh, 4 articles; a generated
 * 1-layer model; 3 samplers × 2 seeds × 4 steps): every run's folder, the
 * aggregate whose means equal the runs' own macros, results.md in the
 * paper's layout, and a second invocation that skips every finished run.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { run as experiment } from '../../../src/cli/commands/experiment.ts';
import { adjustPValues, meanSd, type ExperimentResults } from '../../../src/core/experiment/aggregate.ts';
import { parseExperiment, planRuns } from '../../../src/core/experiment/schema.ts';
import { writeXquadSlice } from '../../support/xquad-slice.ts';
import { quietly } from '../../support/quiet.ts';
import { experimentInFile, resultsInFile } from '../../../src/core/eval/results-schema.ts';

const TOKENIZER = fileURLToPath(new URL('../../../../shared/models/mbert-cased-tokenizer/tokenizer.json', import.meta.url));
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

/** A command run quietly: its exit code, or the message it threw. */
const quiet = <T>(f: () => Promise<T>): Promise<{ value?: T; error?: string }> =>
  quietly(f).then((value) => ({ value }), (e: unknown) => ({ error: (e as Error).message }));

describe('experiment statistics', () => {
  it("Holm's adjustment, Bonferroni and none, by hand", () => {
    // sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → running max 0.06
    expect(adjustPValues([0.01, 0.04, 0.03, 0.005], 'holm')).toEqual([0.03, 0.06, 0.06, 0.02]);
    expect(adjustPValues([0.01, 0.4, 0.3], 'bonferroni').map((p) => +p.toFixed(10))).toEqual([0.03, 1, 0.9]);
    expect(adjustPValues([0.2, 0.01], 'none')).toEqual([0.2, 0.01]);
  });

  it('sample standard deviation (n − 1), 0 for one seed', () => {
    const r = meanSd([0.2, 0.4, 0.6]);
    expect(r.mean).toBeCloseTo(0.4, 12);
    expect(r.sd).toBeCloseTo(0.2, 12); // numpy.std([.2,.4,.6], ddof=1)
    expect(meanSd([0.3])).toEqual({ mean: 0.3, sd: 0, n: 1 });
  });
});

describe('experiment file', () => {
  const base = {
    version: 1, kind: 'experiment', seeds: [1, 2],
    run: {
      version: 1, kind: 'train', model: { source: 'generated', architecture: { layers: 1, hidden: 32, heads: 4, intermediate: 64, maxPositions: 48 }, tokenizer: { name: 't.json', sha256: 'a'.repeat(64) } },
      datasets: [{ name: 'd', shards: [{ name: 'x.json', sha256: 'b'.repeat(64) }] }], train: { data: [{ name: 'd', shards: [{ name: 'x.json', sha256: 'b'.repeat(64) }] }] },
    },
    samplers: [{ name: 'X-X', sampler: 'xx' }, { name: 'hybrid', sampler: 'hybrid' }],
  };
  it('plans one run per sampler and seed, with the sampler and seed put into the base RunConfig', () => {
    const e = parseExperiment(base);
    const runs = planRuns(e);
    expect(runs.map((r) => r.id)).toEqual(['X-X-seed1', 'hybrid-seed1', 'X-X-seed2', 'hybrid-seed2']);
    expect(runs.map((r) => [r.config.train.sampler, r.config.seed])).toEqual([['xx', 1], ['hybrid', 1], ['xx', 2], ['hybrid', 2]]);
    // Seeds vary the start weights and the batches, never the held-out data: the split keeps the base run's seed.
    expect(runs.map((r) => r.config.train.splitSeed)).toEqual([42, 42, 42, 42]); // the base run's default seed
  });
  it.each([
    ['two samplers of one name', { samplers: [{ name: 'a', sampler: 'xx' }, { name: 'a', sampler: 'hybrid' }] }, /two samplers are named "a"/],
    ['a reference that is not a sampler', { reference: 'nope' }, /reference "nope" is not one of the samplers/],
    ['no hybrid sampler and no reference', { samplers: [{ name: 'a', sampler: 'xx' }, { name: 'b', sampler: 'xy' }] }, /no hybrid sampler/],
    ['alpha on an X-X sampler', { samplers: [{ name: 'a', sampler: 'xx', alpha: { kind: 'constant', alpha: 0.3 } }, { name: 'h', sampler: 'hybrid' }] }, /samplers\[0\]\.alpha/],
    ['a repeated seed', { seeds: [3, 3] }, /seed is listed twice/],
    ['a single sampler', { samplers: [{ name: 'h', sampler: 'hybrid' }] }, /samplers/],
    ['an unknown field', { extra: 1 }, /extra/],
  ])('refuses %s', (_, patch, msg) => {
    expect(() => parseExperiment({ ...base, ...patch }, 'exp.json')).toThrow(msg);
  });
});

describe('lab experiment', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'experiment-'));
    const { files } = writeXquadSlice(join(dir, 'data'), { langs: ['de', 'en', 'zh'], articles: 6 });
    const shards = files.map((f) => ({ name: `data/${f.split('/').pop()}`, sha256: sha(f) }));
    writeFileSync(join(dir, 'tokenizer.json'), readFileSync(TOKENIZER));
    file = join(dir, 'exp.json');
    writeFileSync(file, JSON.stringify({
      version: 1, kind: 'experiment', name: 'slice', seeds: [5, 6], highResource: ['de', 'en'],
      samplers: [{ name: 'X-X', sampler: 'xx' }, { name: 'X-Y', sampler: 'xy' }, { name: 'hybrid', sampler: 'hybrid' }],
      run: {
        version: 1, kind: 'train',
        model: { source: 'generated', architecture: { layers: 1, hidden: 32, heads: 4, intermediate: 64, maxPositions: 48 }, tokenizer: { name: 'tokenizer.json', sha256: sha(TOKENIZER) } },
        datasets: [{ name: 'slice-test', split: 'test', shards }],
        tokenization: { maxLength: 48, queryPrefix: 'query: ', passagePrefix: 'passage: ' },
        backend: 'wasm', seed: 0,
        train: { data: [{ name: 'slice-train', split: 'train', shards }], batchSize: 8, steps: 4, lr: 1e-3, warmupSteps: 1, checkpointEvery: 2, splitFractions: { train: 0.5, validation: 0, test: 0.5 } },
      },
    }));
  });

  it('trains every sampler × seed, aggregates mean ± sd with corrected tests, and skips finished runs when run again', async () => {
    const out = join(dir, 'out');
    const r = await quiet(() => experiment([file, '--out', out]));
    expect(r.error).toBeUndefined();
    expect(r.value).toBe(0);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ExperimentResults;
    expect(res.reference).toBe('hybrid');
    expect(Object.keys(res.runs).sort()).toEqual(['X-X-seed5', 'X-X-seed6', 'X-Y-seed5', 'X-Y-seed6', 'hybrid-seed5', 'hybrid-seed6']);
    const t = res.tables[0]!;
    expect(t.metric).toBe('map');
    expect(t.rows.map((x) => x.sampler)).toEqual(['X-X', 'X-Y', 'hybrid']);
    // Every run was evaluated on the same queries (the same held-out articles).
    const queryLists = Object.values(res.runs).map((x) => JSON.stringify(x.trained[0]!.perQuery!.queries));
    expect(new Set(queryLists).size).toBe(1);
    // Means and sds are those of the runs' own macros.
    for (const row of t.rows) {
      for (const s of ['mono', 'cross', 'multi'] as const) {
        const xs = [5, 6].map((seed) => res.runs[`${row.sampler}-seed${seed}`]!.trained[0]!.settings[s]!.macro.map);
        const m = (xs[0]! + xs[1]!) / 2;
        expect(row.settings[s]!.mean).toBeCloseTo(m, 10);
        expect(row.settings[s]!.sd).toBeCloseTo(Math.abs(xs[0]! - xs[1]!) / Math.SQRT2, 10);
      }
      expect(row.bias!.n).toBe(2);
      expect(row.groups.map((g) => `${g.group}:${g.column}`)).toContain('low:mono');
    }
    // Tests: every non-reference sampler in every setting; Holm over the family of 6, adjusted ≥ raw.
    const tests = t.rows.flatMap((row) => Object.values(row.tests));
    expect(tests).toHaveLength(6);
    for (const x of tests) {
      expect(x.pAdjusted).toBeGreaterThanOrEqual(x.p);
      expect(x.pAdjusted).toBeLessThanOrEqual(1);
    }
    expect(t.rows.find((x) => x.sampler === 'hybrid')!.tests).toEqual({});
    expect(res.testNote).toMatch(/Holm's step-down correction over all 6 tests/);
    const md = readFileSync(join(out, 'results.md'), 'utf8');
    expect(md).toMatch(/\| sampler \| monolingual \| cross-lingual \| multilingual \| language bias/);
    expect(md).toMatch(/\| hybrid \| [\d.]+ ± [\d.]+ \(ref\.\)/);
    expect(md).toMatch(/\| X-X \| [\d.]+ ± [\d.]+ \([+−][\d.]+, p [<\d. ]+/);
    expect(md).toMatch(/low: mono/);
    // The page opens this file: every run's trained results, named by sampler and seed.
    const opened = resultsInFile(readFileSync(join(out, 'results.json'), 'utf8'), 'results.json');
    expect(opened.map((o) => o.label)).toEqual(['X-X, seed 5', 'X-Y, seed 5', 'hybrid, seed 5', 'X-X, seed 6', 'X-Y, seed 6', 'hybrid, seed 6']);
    expect(opened[0]!.results.settings.multi!.macro.map).toBe(res.runs['X-X-seed5']!.trained[0]!.settings.multi!.macro.map);
    // …and its comparison tables, checked by the schema (a tampered p-value is refused, naming the field).
    const text = readFileSync(join(out, 'results.json'), 'utf8');
    expect(experimentInFile(text, 'results.json')!.tables).toEqual(res.tables);
    const bad = JSON.parse(text) as { tables: { rows: { tests: { mono?: { p: number } } }[] }[] };
    bad.tables[0]!.rows[0]!.tests.mono!.p = 2;
    expect(() => experimentInFile(JSON.stringify(bad), 'results.json')).toThrow(/tables\[0\]\.rows\[0\]\.tests\.mono\.p/);
    // Again: nothing is retrained (the runs' results are untouched), the aggregate is the same.
    const stamp = statSync(join(out, 'runs', 'X-Y-seed5', 'results.json')).mtimeMs;
    const again = await quiet(() => experiment([file, '--out', out]));
    expect(again.value).toBe(0);
    expect(statSync(join(out, 'runs', 'X-Y-seed5', 'results.json')).mtimeMs).toBe(stamp);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))).toEqual(res);
    // A finished run made with another RunConfig (here: another split seed) is refused, not averaged in.
    const runFile = join(out, 'runs', 'X-X-seed5', 'results.json');
    const original = readFileSync(runFile, 'utf8');
    const tampered = JSON.parse(original) as { config: { train: { splitSeed: number } } };
    tampered.config.train.splitSeed = 99;
    writeFileSync(runFile, JSON.stringify(tampered));
    const refused = await quiet(() => experiment([file, '--out', out]));
    expect(refused.error).toMatch(/X-X-seed5 was trained with a different RunConfig/);
    writeFileSync(runFile, original);
    // A run that was interrupted before its results resumes from its checkpoint.
    rmSync(join(out, 'runs', 'X-Y-seed6', 'results.json'));
    const resumed = await quiet(() => experiment([file, '--out', out]));
    expect(resumed.value).toBe(0);
    const after = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ExperimentResults;
    expect(after.tables[0]!.rows[1]!.settings.multi!.mean).toBeCloseTo(res.tables[0]!.rows[1]!.settings.multi!.mean, 6);
  }, 600_000);

  it('refuses an --out folder that holds another experiment, before any run', async () => {
    const out = join(dir, 'other');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'experiment.json'), '{"version":1,"kind":"experiment","seeds":[7]}\n');
    const r = await quiet(() => experiment([file, '--out', out]));
    expect(r.error).toMatch(/holds the runs of a different experiment/);
    expect(existsSync(join(out, 'runs'))).toBe(false);
  });
});
