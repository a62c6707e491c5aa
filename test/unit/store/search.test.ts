/**
 * Searching a stored dataset as the workers do: BM25 equals the core's
 * search on the same dataset; the loaded model's search reuses the pool
 * embeddings an evaluation cached (nothing re-embedded) and ranks a
 * dataset query's relevant candidates where the evaluation did.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDb, shard, toyDataset } from './helpers.ts';
import { commitImport } from '../../../src/store/commit.ts';
import { summarizeLanguages } from '../../../src/store/summary.ts';
import { IdbEmbeddingCache } from '../../../src/store/embedding-cache.ts';
import { evaluateStoredDataset } from '../../../src/store/dense-eval.ts';
import { searchStoredBm25, searchStoredDense } from '../../../src/store/search.ts';
import { ModelSession } from '../../../src/core/model/session.ts';
import { bm25Model } from '../../../src/core/bm25/search.ts';
import { searchPool, singleQueryDataset } from '../../../src/core/eval/search.ts';
import { initNodeBackend } from '../../../src/node/backend.ts';
import { nodeFolderProvider } from '../../../src/node/model-source.ts';
import { GENERATED_MODELS_DIR } from '../../support/mock-hub.ts';
import type { Progress } from '../../../src/core/job.ts';

const TOK = { maxLength: 62, queryPrefix: 'query: ', passagePrefix: 'passage: ' };
beforeAll(async () => { await initNodeBackend('wasm'); });

describe('search over a stored dataset', () => {
  it('BM25 and the loaded model; the model reuses the cached pool embeddings', async () => {
    const db = await freshDb();
    const { dataset, stats } = toyDataset();
    const rec = await commitImport(db, { name: 'toy', shards: [await shard('de.json', 'DE'), await shard('en.json', 'EN', 'en')], dataset, stats, perLanguage: summarizeLanguages(dataset, stats) });
    const bm = await searchStoredBm25(db, { datasetId: rec.id, query: { id: 'de/q1' }, k: 3 });
    expect(bm).toEqual(await searchPool(singleQueryDataset(dataset, { id: 'de/q1' }).dataset, bm25Model(), { k: 3 }));
    expect(bm.relevant.map((r) => r.id).sort()).toEqual(['de/0/0/0', 'en/0/0/0']);

    const session = new ModelSession(() => ({ backend: 'wasm', reason: 'test' }));
    await session.load(nodeFolderProvider(join(GENERATED_MODELS_DIR, 'tiny-bert')), {
      label: 'tiny-bert', source: { source: 'folder', name: 'tiny-bert', sha256: '0'.repeat(64) }, fromCache: false, totalBytes: 0, seconds: 0,
    });
    const cache = new IdbEmbeddingCache(`search-test-${process.pid}`);
    const ev = await evaluateStoredDataset(db, cache, session, rec.id, { tokenization: TOK, scorer: 'cpu', backend: 'wasm' });
    const progress: Progress[] = [];
    const dense = await searchStoredDense(db, session, { datasetId: rec.id, query: { id: 'de/q1' }, k: 3 }, { tokenization: TOK, scorer: 'cpu', cache, onProgress: (p) => progress.push(p) });
    expect(progress.every((p) => p.total === 0)).toBe(true); // the pool came from the cache
    expect(dense.hits).toHaveLength(3);
    // AP from the reported ranks equals the evaluation's per-query AP in the multilingual pool.
    const ranks = dense.relevant.map((r) => r.rank).sort((a, b) => a - b);
    const ap = ranks.reduce((s, r, i) => s + (i + 1) / r, 0) / ranks.length;
    const i = ev.results.perQuery!.queries.de!.indexOf('de/q1');
    expect(ap).toBeCloseTo(ev.results.perQuery!.values.map!['de-all']![i]!, 5);
    const free = await searchStoredDense(db, session, { datasetId: rec.id, query: { text: 'Who?', lang: 'en' }, k: 2, langs: ['de'] }, { tokenization: TOK, scorer: 'cpu', cache });
    expect(free.hits.every((h) => h.lang === 'de')).toBe(true);
  }, 60_000);
});
