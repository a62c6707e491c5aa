/**
 * Dense evaluation of a stored dataset as the model worker runs it: the
 * ModelSession embeds through the IndexedDB embedding cache (fake-indexeddb),
 * the results are stored under the model's content key; a second run embeds
 * nothing; a trimmed model is another model; cancel stores nothing; removing
 * a dataset or a model drops its embeddings.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDb, shard, toyDataset } from './helpers.ts';
import { commitImport } from '../../../src/store/commit.ts';
import { summarizeLanguages } from '../../../src/store/summary.ts';
import { loadResults } from '../../../src/store/results.ts';
import { IdbEmbeddingCache } from '../../../src/store/embedding-cache.ts';
import { denseModelKey, evaluateStoredDataset } from '../../../src/store/dense-eval.ts';
import { ModelSession } from '../../../src/core/model/session.ts';
import { evaluateTextModel } from '../../../src/core/eval/dense.ts';
import { initNodeBackend } from '../../../src/node/backend.ts';
import { nodeFolderProvider } from '../../../src/node/model-source.ts';
import { GENERATED_MODELS_DIR } from '../../support/mock-hub.ts';
import type { Progress } from '../../../src/core/job.ts';

const TOK = { maxLength: 62, queryPrefix: 'query: ', passagePrefix: 'passage: ' };
let cacheN = 0;

async function setup() {
  const db = await freshDb();
  const { dataset, stats } = toyDataset();
  const rec = await commitImport(db, { name: 'toy', shards: [await shard('de.json', 'DE'), await shard('en.json', 'EN', 'en')], dataset, stats, perLanguage: summarizeLanguages(dataset, stats) });
  const session = new ModelSession(() => ({ backend: 'wasm', reason: 'test' }));
  await session.load(nodeFolderProvider(join(GENERATED_MODELS_DIR, 'tiny-bert')), {
    label: 'tiny-bert', source: { source: 'folder', name: 'tiny-bert', sha256: '0'.repeat(64) }, fromCache: false, totalBytes: 0, seconds: 0,
  });
  return { db, rec, session, dataset, cache: new IdbEmbeddingCache(`emb-test-${process.pid}-${cacheN++}`) };
}

beforeAll(async () => { await initNodeBackend('wasm'); });

describe('dense evaluation of a stored dataset', () => {
  it('equals the core on the same dataset, stores results under the content key, and re-runs from the embedding cache', async () => {
    const { db, rec, session, dataset, cache } = await setup();
    const progress: Progress[] = [];
    const first = await evaluateStoredDataset(db, cache, session, rec.id, { tokenization: TOK, scorer: 'cpu', backend: 'wasm', onProgress: (p) => progress.push(p) });
    expect(first.fromCache).toEqual({ queries: false, passages: false });
    expect(first.modelKey).toBe(denseModelKey(session.contentHash));
    expect(progress.some((p) => p.phase === 'embed' && p.unit === 'texts' && p.total === 5)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ done: 2, total: 2, unit: 'queries' });
    const direct = await evaluateTextModel(session.textModel(), dataset, { name: 'tiny-bert', scorer: 'cpu', tokenization: TOK });
    expect(first.results.settings).toEqual(direct.results.settings);
    expect((await loadResults(db, rec.id, first.modelKey))!.results).toEqual(first.results);
    expect(first.results.description.config).toMatchObject({ kind: 'eval', model: { source: 'folder', sha256: session.contentHash } });
    expect(await cache.count()).toBe(2);

    const second = await evaluateStoredDataset(db, cache, session, rec.id, { tokenization: TOK, scorer: 'cpu', backend: 'wasm' });
    expect(second.fromCache).toEqual({ queries: true, passages: true });
    expect(second.results.settings).toEqual(first.results.settings);

    // Another prefix is another cache entry, not a wrong hit.
    const other = await evaluateStoredDataset(db, cache, session, rec.id, { tokenization: { ...TOK, queryPrefix: '' }, scorer: 'cpu', backend: 'wasm' });
    expect(other.fromCache).toEqual({ queries: false, passages: true });

    expect(await cache.deleteDataset(rec.id)).toBe(3);
    expect(await cache.count()).toBe(0);
  });

  it('a trimmed model is a different model: new content hash, no cache hit', async () => {
    const { db, rec, session, cache } = await setup();
    const before = session.contentHash;
    await evaluateStoredDataset(db, cache, session, rec.id, { tokenization: TOK, scorer: 'cpu', backend: 'wasm' });
    const ids = session.textModel().tokenizer.encodeBatch(['query: Wer?', 'query: Who?', 'passage: Er.', 'passage: Sie.', 'passage: He.'], { maxLength: 62 });
    await session.trim(ids.ids);
    expect(session.contentHash).not.toBe(before);
    const r = await evaluateStoredDataset(db, cache, session, rec.id, { tokenization: TOK, scorer: 'cpu', backend: 'wasm' });
    expect(r.fromCache).toEqual({ queries: false, passages: false });
    expect(await cache.deleteModel(before)).toBe(2);
    expect(await cache.count()).toBe(2);
  });

  it('cancel stores neither results nor embeddings', async () => {
    const { db, rec, session, cache } = await setup();
    const ctl = new AbortController();
    ctl.abort();
    await expect(evaluateStoredDataset(db, cache, session, rec.id, { tokenization: TOK, scorer: 'cpu', backend: 'wasm', signal: ctl.signal }))
      .rejects.toMatchObject({ code: 'cancelled' });
    expect(await loadResults(db, rec.id, denseModelKey(session.contentHash))).toBeUndefined();
    expect(await cache.count()).toBe(0);
  });

  it('refuses a max length beyond the position table and a missing dataset', async () => {
    const { db, rec, session, cache } = await setup();
    await expect(evaluateStoredDataset(db, cache, session, rec.id, { tokenization: { ...TOK, maxLength: 100_000 }, scorer: 'cpu', backend: 'wasm' }))
      .rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(evaluateStoredDataset(db, cache, session, 'f'.repeat(64), { tokenization: TOK, scorer: 'cpu', backend: 'wasm' }))
      .rejects.toMatchObject({ code: 'storage' });
  });
});

describe('TREC run of the loaded model', () => {
  it('scores like the evaluation under trec_eval semantics, and refuses another model', async () => {
    const { denseRunBlob } = await import('../../../src/store/dense-eval.ts');
    const { baselineQrelsBlob } = await import('../../../src/store/baseline.ts');
    const { evaluateRun } = await import('../../../src/core/eval/run-eval.ts');
    const { parseQrels, parseRun } = await import('../../../src/core/eval/trec.ts');
    const { db, rec, session, cache } = await setup();
    const ev = await evaluateStoredDataset(db, cache, session, rec.id, { tokenization: TOK, scorer: 'cpu', backend: 'wasm' });
    const run = await (await denseRunBlob(db, cache, session, rec.id, { setting: 'multi', tokenization: TOK, scorer: 'cpu', modelHash: session.contentHash })).text();
    expect(run.split('\n')[0]).toMatch(/^de\/q1 Q0 \S+ 1 \S+ polyglot-lab\.dense-[0-9a-f]{12}\.multi$/);
    const qrels = await (await baselineQrelsBlob(db, rec.id, 'multi')).text();
    const te = evaluateRun(parseQrels(qrels), parseRun(run));
    for (const q of ['de/q1', 'en/q1']) {
      const lang = q.slice(0, 2);
      const i = ev.results.perQuery!.queries[lang]!.indexOf(q);
      expect(te.perQuery[q]!.map).toBeCloseTo(ev.results.perQuery!.values.map![`${lang}-all`]![i]!, 6);
    }
    await expect(denseRunBlob(db, cache, session, rec.id, { setting: 'multi', tokenization: TOK, scorer: 'cpu', modelHash: 'f'.repeat(64) })).rejects.toThrow(/not the model these results are of/);
  });
});
