import { describe, expect, it } from 'vitest';
import { openDB } from 'idb';
import { commitImport } from '../../../src/store/commit.ts';
import { listDatasets, loadDataset, removeDataset, shardBytes } from '../../../src/store/datasets.ts';
import { LAB_DB_VERSION, openLabDb } from '../../../src/store/db.ts';
import { loadResults, resultsByDataset, saveResults } from '../../../src/store/results.ts';
import { BASELINE_MODEL, BlobBuilder, baselineQrelsBlob, baselineRunBlob, runBaseline } from '../../../src/store/baseline.ts';
import { summarizeLanguages } from '../../../src/store/summary.ts';
import { bm25Model } from '../../../src/core/bm25/search.ts';
import { evaluateDataset } from '../../../src/core/eval/evaluate.ts';
import { parseQrels, parseRun } from '../../../src/core/eval/trec.ts';
import { isLabError } from '../../../src/core/errors.ts';
import { freshDb, shard, toyDataset } from './helpers.ts';

async function stored(db: Awaited<ReturnType<typeof freshDb>>) {
  const { dataset, stats } = toyDataset();
  return commitImport(db, { name: 'toy', shards: [await shard('de.json', 'DE'), await shard('en.json', 'EN', 'en')], dataset, stats, perLanguage: summarizeLanguages(dataset, stats) });
}

describe('database upgrade 1 -> 2', () => {
  it('keeps every shard, dataset and parsed cache of a version-1 database and adds the results store', async () => {
    const name = `polyglot-lab-upgrade-${process.pid}`;
    // Version 1 exactly as the first release created it.
    const v1 = await openDB(name, 1, {
      upgrade(db) {
        db.createObjectStore('shards', { keyPath: 'sha256' });
        const datasets = db.createObjectStore('datasets', { keyPath: 'id' });
        datasets.createIndex('byShard', 'shardHashes', { multiEntry: true });
        datasets.createIndex('byCreated', 'createdAt');
        db.createObjectStore('parsed', { keyPath: 'datasetId' });
      },
    });
    const { dataset, stats } = toyDataset();
    const s = await shard('de.json', 'DE');
    await v1.put('shards', { ...s.meta, bytes: s.bytes });
    await v1.put('datasets', { id: 'd1', name: 'toy', format: 'lareqa', shards: [s.meta], shardHashes: [s.meta.sha256], stats, perLanguage: [], createdAt: 1 });
    await v1.put('parsed', { datasetId: 'd1', dataset });
    v1.close();

    const db = await openLabDb(name);
    expect(LAB_DB_VERSION).toBe(4);
    expect(db.version).toBe(4);
    expect([...db.objectStoreNames].sort()).toEqual(['checkpoints', 'datasets', 'mined', 'parsed', 'results', 'runs', 'shards']);
    expect((await listDatasets(db)).map((d) => d.id)).toEqual(['d1']);
    expect(await loadDataset(db, 'd1')).toEqual(dataset);
    expect(await (await shardBytes(db, s.meta.sha256)).text()).toBe('DE');
    expect(await loadResults(db, 'd1', BASELINE_MODEL)).toBeUndefined();
    // The new store works on the upgraded database, and removal cleans it.
    const results = await evaluateDataset(dataset, bm25Model());
    await saveResults(db, 'd1', BASELINE_MODEL, results);
    expect((await loadResults(db, 'd1', BASELINE_MODEL))!.results).toEqual(results);
    await removeDataset(db, 'd1');
    expect(await db.count('results')).toBe(0);
    db.close();

    // Opening again at the same version changes nothing.
    const again = await openLabDb(name);
    expect(again.version).toBe(4);
    expect(await again.count('datasets')).toBe(0);
    again.close();
  });

  it('an open connection lets a newer version upgrade (closes itself instead of blocking it forever)', async () => {
    const name = `polyglot-lab-blocking-${process.pid}`;
    const first = await openLabDb(name);
    // A second open at the same version is never blocked; the blocking handler matters for a newer one.
    const bumped = openDB(name, LAB_DB_VERSION + 1, { upgrade() { /* a future version */ } });
    const db = await bumped;
    expect(db.version).toBe(LAB_DB_VERSION + 1);
    db.close();
    await expect(first.get('datasets', 'x')).rejects.toThrow();
  });
});

describe('cached results', () => {
  it('runBaseline evaluates a stored dataset and caches the same results object', async () => {
    const db = await freshDb();
    const rec = await stored(db);
    const stages = new Set<string>();
    const r = await runBaseline(db, rec.id, { onProgress: (p) => stages.add(p.phase) });
    expect(r.description.model).toBe('bm25');
    expect(r.description.config).toMatchObject({ kind: 'bm25', model: { source: 'bm25', k1: 0.9, b: 0.4 }, datasets: [{ name: 'toy', shards: rec.shards.map((x) => ({ name: x.name, sha256: x.sha256 })) }] });
    expect(Object.keys(r.settings).sort()).toEqual(['cross', 'mono', 'multi']);
    expect(r.settings.mono!.pairs['de-de']!.num_q).toBe(1);
    expect(stages.size).toBeGreaterThan(0);
    const cached = await loadResults(db, rec.id, BASELINE_MODEL);
    expect(cached!.results).toEqual(r);
    expect(Object.keys(await resultsByDataset(db, BASELINE_MODEL))).toEqual([rec.id]);
    // Same numbers as evaluating the dataset directly.
    const direct = await evaluateDataset(toyDataset().dataset, bm25Model());
    expect(r.settings).toEqual(direct.settings);
    expect(r.languageBias).toEqual(direct.languageBias);
  });

  it('results for a dataset removed meanwhile are refused and nothing is written', async () => {
    const db = await freshDb();
    const rec = await stored(db);
    const r = await runBaseline(db, toyDataset().dataset);
    await removeDataset(db, rec.id);
    const err = await saveResults(db, rec.id, BASELINE_MODEL, r).catch((e: unknown) => e);
    expect(isLabError(err) && err.code).toBe('storage');
    expect(String((err as Error).message)).toContain('removed');
    expect(await db.count('results')).toBe(0);
  });

  it('a cancelled baseline stores nothing', async () => {
    const db = await freshDb();
    const rec = await stored(db);
    const ctl = new AbortController();
    ctl.abort();
    const err = await runBaseline(db, rec.id, { signal: ctl.signal }).catch((e: unknown) => e);
    expect(isLabError(err) && err.code).toBe('cancelled');
    expect(await db.count('results')).toBe(0);
  });
});

describe('exports', () => {
  it('the run Blob is a TREC run of the setting with matching qrels', async () => {
    const db = await freshDb();
    const rec = await stored(db);
    const run = parseRun(await (await baselineRunBlob(db, rec.id, { setting: 'cross', depth: 1 })).text());
    expect([...run.keys()].sort()).toEqual(['de/q1@en', 'en/q1@de']);
    for (const e of run.values()) expect(e.docids).toHaveLength(1);
    const qrels = parseQrels(await (await baselineQrelsBlob(db, rec.id, 'cross')).text());
    expect(qrels).toEqual({ 'de/q1@en': { 'en/0/0/0': 1 }, 'en/q1@de': { 'de/0/0/0': 1 } });
    const all = parseRun(await (await baselineRunBlob(db, rec.id, { setting: 'multi', depth: 'all' })).text());
    expect(all.get('de/q1')!.docids).toHaveLength(3);
  });

  it('BlobBuilder joins chunks in order', async () => {
    const b = new BlobBuilder('text/plain', 4);
    for (const s of ['ab', 'cd', 'efg', 'h', '']) b.write(s);
    expect(await b.blob().text()).toBe('abcdefgh');
  });
});
