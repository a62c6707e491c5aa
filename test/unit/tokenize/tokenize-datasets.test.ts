import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { commitImport } from '../../../src/store/commit.ts';
import { summarizeLanguages } from '../../../src/store/summary.ts';
import { IdbTokenCache } from '../../../src/store/token-cache.ts';
import { tokenizeStoredDatasets, type TokenizeProgress } from '../../../src/store/tokenize-datasets.ts';
import { LabTokenizer } from '../../../src/core/tokenize/tokenizer.ts';
import { embedTexts, loadTextModel } from '../../../src/core/tokenize/text-model.ts';
import { trimTextModel } from '../../../src/core/tokenize/trim-model.ts';
import { initNodeBackend } from '../../../src/node/backend.ts';
import { nodeFolderProvider } from '../../../src/cli/commands/embed.ts';
import { isLabError } from '../../../src/core/errors.ts';
import { GENERATED_MODELS_DIR } from '../../support/mock-hub.ts';
import { freshDb, shard, toyDataset } from '../store/helpers.ts';

const MBERT = readFileSync(new URL('../../../../shared/models/mbert-cased-tokenizer/tokenizer.json', import.meta.url));
const TINY_BERT = join(GENERATED_MODELS_DIR, 'tiny-bert');

async function storedToy() {
  const db = await freshDb();
  const { dataset, stats } = toyDataset();
  const rec = await commitImport(db, { name: 'toy', shards: [await shard('de.json', 'DE')], dataset, stats, perLanguage: summarizeLanguages(dataset, stats) });
  return { db, rec, dataset };
}

describe('tokenizing stored datasets through the token cache', () => {
  it('counts every query and passage with its prefix, then serves the same numbers from the cache', async () => {
    const { db, rec, dataset } = await storedToy();
    const tok = await LabTokenizer.fromSource({ tokenizerJson: MBERT });
    const cache = new IdbTokenCache(`tok-ds-${process.pid}`);
    const opts = { maxLength: 5, queryPrefix: 'query: ', passagePrefix: 'passage: ' };
    const seen: TokenizeProgress[] = [];
    const first = await tokenizeStoredDatasets(db, cache, tok, [rec.id], opts, (p) => seen.push(p));
    // Independent count: each text encoded alone with no length limit, then cut to the budget by hand.
    const texts = [...dataset.queries.map((q) => `query: ${q.text}`), ...dataset.passages.map((p) => `passage: ${p.text}`)];
    const full = texts.map((t) => tok.encode(t, { maxLength: 10_000 }));
    const cut = full.map((ids) => (ids.length > 5 ? [...ids.slice(0, 4), ids[ids.length - 1]!] : ids));
    expect(first.total.texts).toBe(5);
    expect(first.total.totalTokens).toBe(cut.reduce((s, ids) => s + ids.length, 0));
    expect(first.total.truncated).toBe(full.filter((ids) => ids.length > 5).length);
    expect(Array.from(first.total.distinctIds)).toEqual([...new Set(cut.flat())].sort((a, b) => a - b));
    expect(first.fromCache).toBe(false);
    expect(first.datasets[0]!.parts.map((p) => [p.part, p.prefix, p.stats.texts])).toEqual([['queries', 'query: ', 2], ['passages', 'passage: ', 3]]);
    expect(seen.at(-1)).toMatchObject({ done: 5, total: 5 });
    expect(seen.every((p, i) => i === 0 || p.done >= seen[i - 1]!.done)).toBe(true);

    const again = await tokenizeStoredDatasets(db, cache, tok, [rec.id], opts);
    expect(again.fromCache).toBe(true);
    expect(again.total).toEqual(first.total);
    // A different prefix or max length is a different cache entry.
    expect((await tokenizeStoredDatasets(db, cache, tok, [rec.id], { ...opts, queryPrefix: '' })).datasets[0]!.parts.map((p) => p.fromCache)).toEqual([false, true]);
    expect((await tokenizeStoredDatasets(db, cache, tok, [rec.id], { ...opts, maxLength: 6 })).fromCache).toBe(false);
  });

  it('refuses an empty selection and a dataset that is not stored', async () => {
    const { db } = await storedToy();
    const tok = await LabTokenizer.fromSource({ tokenizerJson: MBERT });
    const cache = new IdbTokenCache(`tok-ds-missing-${process.pid}`);
    const opts = { maxLength: 8, queryPrefix: '', passagePrefix: '' };
    await expect(tokenizeStoredDatasets(db, cache, tok, [], opts)).rejects.toSatisfy((e) => isLabError(e) && e.code === 'invalid-argument');
    await expect(tokenizeStoredDatasets(db, cache, tok, ['nope'], opts)).rejects.toSatisfy((e) => isLabError(e) && e.code === 'storage');
  });
});

describe('trimming a loaded model to the datasets', () => {
  beforeAll(async () => { await initNodeBackend('cpu'); });

  it('keeps the distinct ids plus the specials, reports sizes, embeds seen text unchanged; a second trim composes', async () => {
    const model = await loadTextModel(nodeFolderProvider(TINY_BERT));
    const json = readFileSync(join(TINY_BERT, 'tokenizer.json'));
    const texts = ['Wie viele Punkte gab die Verteidigung der Panthers ab?', 'How many points did the Panthers defense give up?'];
    const before = await embedTexts(model, texts);
    const ids = model.tokenizer.encodeBatch(texts, { maxLength: model.maxLength }).ids;
    const distinct = [...new Set(ids)];
    const r = trimTextModel(model, ids, json);
    expect(r.specialIds).toEqual([0, 100, 101, 102, 103]);
    expect(r.rowsBefore).toBe(119_547);
    expect(r.rowsAfter).toBe(new Set([...distinct, 0, 100, 101, 102, 103]).size);
    expect(r.distinctIds).toBe(distinct.length);
    expect(r.tableBytesBefore).toBe(119_547 * 32 * 4);
    expect(r.tableBytesAfter).toBe(r.rowsAfter * 32 * 4);
    expect(r.modelBytesBefore - r.modelBytesAfter).toBe(r.tableBytesBefore - r.tableBytesAfter);
    const after = await embedTexts(model, texts);
    for (let i = 0; i < texts.length; i++) for (let k = 0; k < 32; k++) expect(Math.abs(after[i]![k]! - before[i]![k]!)).toBeLessThan(1e-5);

    // Again with the first sentence only: ids are tokenizer ids, mapped through the first trim.
    const firstIds = model.tokenizer.encodeBatch(texts.slice(0, 1), { maxLength: model.maxLength }).ids;
    const r2 = trimTextModel(model, firstIds, json);
    expect(r2.rowsBefore).toBe(r.rowsAfter);
    expect(r2.rowsAfter).toBe(new Set([...firstIds, 0, 100, 101, 102, 103]).size);
    expect(r2.originalVocabSize).toBe(119_547);
    const [again] = await embedTexts(model, texts.slice(0, 1));
    for (let k = 0; k < 32; k++) expect(Math.abs(again![k]! - before[0]![k]!)).toBeLessThan(1e-5);
    model.encoder.dispose();
  });
});
