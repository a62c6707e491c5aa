/** `lab bm25` and `lab metrics` end to end on files: the run/qrels they write round-trip through the metrics command. */
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run as bm25 } from '../../../src/cli/commands/bm25.ts';
import { run as metrics } from '../../../src/cli/commands/metrics.ts';
import { parseResults, type EvalResults } from '../../../src/core/eval/results.ts';
import { isLabError } from '../../../src/core/errors.ts';
import { xquadRPaths } from './xquad-r.ts';

let dir: string;
let results: EvalResults;
const files = xquadRPaths(['de', 'en']);

async function capture(f: () => Promise<number>): Promise<{ code: number; out: string }> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  const w = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await f();
    return { code, out: log.mock.calls.map((c) => String(c[0])).join('\n') };
  } finally {
    log.mockRestore();
    err.mockRestore();
    w.mockRestore();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lab-cli-'));
  const { code } = await capture(() =>
    bm25([...files, '--out', join(dir, 'r.json'), '--run', join(dir, 'run.trec'), '--qrels', join(dir, 'qrels.trec'), '--depth', '100']),
  );
  expect(code).toBe(0);
  results = parseResults(readFileSync(join(dir, 'r.json'), 'utf8'));
});
afterEach(() => vi.restoreAllMocks());

describe('lab bm25', () => {
  it('writes the results object with every setting, pair and the language bias', () => {
    expect(results.description).toMatchObject({ model: 'bm25', dataset: 'xquad-r', format: 'lareqa', scorer: 'bm25' });
    expect(results.description.config?.eval).toMatchObject({ settings: ['mono', 'cross', 'multi'], depth: 100 });
    expect(results.description.config?.kind).toBe('bm25');
    expect(results.description.config?.datasets[0]?.shards.map((s) => s.name)).toEqual(['de.json', 'en.json']);
    expect(results.description.config?.datasets[0]?.shards[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(results.settings.mono!.pairs).sort()).toEqual(['de-de', 'en-en']);
    expect(Object.keys(results.settings.cross!.pairs).sort()).toEqual(['de-en', 'en-de']);
    expect(Object.keys(results.settings.multi!.pairs).sort()).toEqual(['de-all', 'en-all']);
    expect(results.settings.mono!.pairs['en-en']!.num_q).toBe(1190);
    expect(results.settings.mono!.macro.map).toBeGreaterThan(0.6);
    expect(results.languageBias!.byQueryLang.en).toBeGreaterThan(0);
    expect(results.languageBias!.pairs['en-de']!.num_q).toBe(1190);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('writes the multilingual run (default) at the asked depth, with its qrels', () => {
    const lines = readFileSync(join(dir, 'run.trec'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2380 * 100);
    expect(lines[0]).toMatch(/^de\/\S+ Q0 (de|en)\/\d+\/\d+\/\d+ 1 \S+ polyglot-lab\.bm25\.multi$/);
    const qrels = readFileSync(join(dir, 'qrels.trec'), 'utf8').trim().split('\n');
    expect(qrels).toHaveLength(2380 * 2);
  });

  it('lab metrics on those files reproduces the results object where the run depth allows', async () => {
    const { code, out } = await capture(() => metrics(['--qrels', join(dir, 'qrels.trec'), '--run', join(dir, 'run.trec')]));
    expect(code).toBe(0);
    const m = JSON.parse(out) as Record<string, number>;
    expect(Object.keys(m)).toEqual(['map', 'ndcg_cut_10', 'recall_100', 'recip_rank_10', 'num_q']);
    expect(m.num_q).toBe(2380);
    // Both query languages have 1190 queries, so the macro over pairs is the mean over queries.
    const multi = results.settings.multi!.macro;
    expect(m.ndcg_cut_10).toBeCloseTo(multi.ndcg_cut_10, 12);
    expect(m.recip_rank_10).toBeCloseTo(multi.recip_rank_10, 12);
    expect(m.recall_100).toBeCloseTo(multi.recall_100, 12);
    // AP from a run cut at 100 can only lose relevant documents.
    expect(m.map).toBeLessThanOrEqual(multi.map + 1e-12);
    const per = await capture(() => metrics(['--qrels', join(dir, 'qrels.trec'), '--run', join(dir, 'run.trec'), '--per-query']));
    const pq = JSON.parse(per.out) as { per_query: Record<string, Record<string, number>> };
    expect(Object.keys(pq.per_query)).toHaveLength(2380);
  });

  it('cross-setting runs use {query id}@{language} qids with matching qrels', async () => {
    const d2 = mkdtempSync(join(tmpdir(), 'lab-cli-'));
    const { code } = await capture(() =>
      bm25([files[1]!, files[0]!, '--out', join(d2, 'r.json'), '--run', join(d2, 'run.trec'), '--qrels', join(d2, 'q.trec'), '--setting', 'cross', '--depth', '10']),
    );
    expect(code).toBe(0);
    const run = readFileSync(join(d2, 'run.trec'), 'utf8');
    expect(run.split('\n')[0]).toMatch(/^de\/[0-9a-f]+@en Q0 en\/\S+ 1 \S+ polyglot-lab\.bm25\.cross$/);
    const { out } = await capture(() => metrics(['--qrels', join(d2, 'q.trec'), '--run', join(d2, 'run.trec')]));
    const m = JSON.parse(out) as Record<string, number>;
    const r = parseResults(readFileSync(join(d2, 'r.json'), 'utf8'));
    expect(m.num_q).toBe(2380);
    expect(m.recip_rank_10).toBeCloseTo(r.settings.cross!.macro.recip_rank_10, 12);
    expect(m.ndcg_cut_10).toBeCloseTo(r.settings.cross!.macro.ndcg_cut_10, 12);
  });

  it('rejects bad arguments with usage (exit 2) and bad files with a located LabError', async () => {
    expect((await capture(() => bm25([...files]))).code).toBe(2); // no --out
    expect((await capture(() => bm25([...files, '--out', 'x.json', '--depth', '0']))).code).toBe(2);
    expect((await capture(() => bm25([...files, '--out', 'x.json', '--setting', 'both']))).code).toBe(2);
    expect((await capture(() => metrics(['--run', 'x']))).code).toBe(2);
    const bad = join(dir, 'bad.trec');
    writeFileSync(bad, 'q1 Q0 d1 1 0.5 t\nq1 Q0 d2 2\n');
    const e = await metrics(['--qrels', join(dir, 'qrels.trec'), '--run', bad]).catch((x: unknown) => x);
    expect(isLabError(e) && e.code === 'run-format' && e.location.file === bad && e.location.line === 2).toBe(true);
    const missing = await metrics(['--qrels', join(dir, 'nope.trec'), '--run', bad]).catch((x: unknown) => x);
    expect(isLabError(missing) && missing.location.file === join(dir, 'nope.trec')).toBe(true);
    expect(existsSync('x.json')).toBe(false);
  });
});
