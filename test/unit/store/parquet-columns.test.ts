/**
 * A Parquet file whose column names the lab does not recognise (`doc_key`, `body`): the import list shows
 * every column and what is missing, the user maps the roles, the import reads it with that mapping and keeps
 * the mapping with the shard, and the RunConfig the page makes names it, so the command line (and a share
 * link's receiver) reads the same file the same way.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it, vi } from 'vitest';
import { run as bm25 } from '../../../src/cli/commands/bm25.ts';
import { shardSourceFromBytes } from '../../../src/core/dataset/shard-source.ts';
import { makeRunConfig, type DatasetRef } from '../../../src/core/run-config.ts';
import { remoteShards } from '../../../src/core/share/remote.ts';
import { datasetOfRef } from '../../../src/node/run-inputs.ts';
import { datasetRefOf } from '../../../src/store/dataset-ref.ts';
import { loadDataset } from '../../../src/store/datasets.ts';
import { importShards, probeSources } from '../../../src/store/import.ts';
import { freshDb } from './helpers.ts';

const parquet = (columnData: { name: string; data: unknown[]; type: string }[]) => new Uint8Array(parquetWriteBuffer({ columnData, rowGroupSize: 2 } as never));
const corpus = parquet([
  { name: 'doc_key', data: ['a', 'b', 'c'], type: 'STRING' },
  { name: 'heading', data: ['Berlin', 'Paris', 'Rom'], type: 'STRING' },
  { name: 'body', data: ['Hauptstadt Deutschlands', 'Hauptstadt Frankreichs', 'Hauptstadt Italiens'], type: 'STRING' },
]);
const topics = parquet([
  { name: 'qid', data: ['q1'], type: 'STRING' },
  { name: 'query', data: ['Frankreichs'], type: 'STRING' },
]);
const qrels = parquet([
  { name: 'query-id', data: ['q1'], type: 'STRING' },
  { name: 'corpus-id', data: ['b'], type: 'STRING' },
  { name: 'score', data: [1], type: 'INT32' },
]);
const PATHS = ['wiki-de/corpus.parquet', 'wiki-de/queries.parquet', 'wiki-de/qrels.parquet'];
const sources = () => [corpus, topics, qrels].map((b, i) => ({ ...shardSourceFromBytes(PATHS[i]!.split('/')[1]!, b), path: PATHS[i]! }));

describe('Parquet column roles chosen by the user', () => {
  it('lists the columns of a file whose names make no table, and what is missing', async () => {
    const [p] = await probeSources(sources().slice(0, 1), [PATHS[0]!]);
    expect(p!.format).toBeNull();
    expect(p!.error).toMatchObject({ code: 'missing-field', file: 'corpus.parquet' });
    expect(p!.error!.message).toMatch(/no id column \(its columns: doc_key, heading, body\)/);
    expect(p!.parquet).toEqual({ available: ['doc_key', 'heading', 'body'], columns: {}, kind: null });
  });

  it('probes, imports and stores with the chosen roles; the RunConfig names them; the command line reads the same dataset', async () => {
    const chosen = { id: 'doc_key', text: 'body', title: 'heading' };
    const columns = [chosen, null, null];
    const probed = await probeSources(sources(), PATHS, columns);
    expect(probed.map((p) => p.format)).toEqual(['miracl-corpus', 'miracl-topics', 'miracl-qrels']);
    expect(probed[0]!.parquet).toEqual({ available: ['doc_key', 'heading', 'body'], columns: chosen, kind: 'miracl-corpus' });
    expect(probed[0]!.columns).toBe('3 rows in 2 row group(s); id ← doc_key, text ← body, title ← heading');

    // A column the file does not have is named, with the ones it has.
    const [wrong] = await probeSources(sources().slice(0, 1), [PATHS[0]!], [{ id: 'doc_id', text: 'body' }]);
    expect(wrong!.error).toMatchObject({ code: 'missing-field', file: 'corpus.parquet' });
    expect(wrong!.error!.message).toMatch(/has no column "doc_id" for the id \(expected one of its columns: doc_key, heading, body\)/);

    const db = await freshDb();
    const out = await importShards(db, sources(), { name: 'wiki-de', paths: PATHS, columns });
    if (!out.ok) throw new Error(JSON.stringify(out.errors));
    expect(out.record.shards.map((s) => s.columns)).toEqual([chosen, undefined, undefined]);
    const ds = await loadDataset(db, out.record.id);
    expect(ds.passages.map((p) => [p.id, p.title, p.text])).toEqual([['a', 'Berlin', 'Hauptstadt Deutschlands'], ['b', 'Paris', 'Hauptstadt Frankreichs'], ['c', 'Rom', 'Hauptstadt Italiens']]);

    // The page's RunConfig (and so its share links) records the roles; the schema takes them back.
    const ref: DatasetRef = datasetRefOf(out.record);
    expect(ref.shards[0]).toEqual({ name: PATHS[0], sha256: out.record.shards[0]!.sha256, columns: chosen });
    const config = makeRunConfig({ version: 1, kind: 'bm25', model: { source: 'bm25', k1: 0.9, b: 0.4 }, backend: 'cpu', datasets: [ref], eval: { settings: ['mono'] } });
    expect(config.datasets[0]!.shards[0]!.columns).toEqual(chosen);
    expect(() => makeRunConfig({ ...config, datasets: [{ ...ref, shards: [{ ...ref.shards[0]!, columns: { body: 'x' } as never }] }] })).toThrow(/columns/);
    expect(remoteShards({ ...config, datasets: [{ ...ref, shards: [{ ...ref.shards[0]!, url: 'https://example.org/corpus.parquet' }] }] })[0]!.columns).toEqual(chosen);

    // The command line, given the RunConfig and the files beside it, reads the corpus with the recorded roles.
    const dir = mkdtempSync(join(tmpdir(), 'pq-columns-'));
    mkdirSync(join(dir, 'wiki-de'));
    [corpus, topics, qrels].forEach((b, i) => writeFileSync(join(dir, PATHS[i]!), b));
    const local = ref;
    const cli = await datasetOfRef(local, dir, 'datasets[0]', { seed: 1, train: undefined } as never);
    expect(cli.passages.map((p) => [p.id, p.title, p.text])).toEqual(ds.passages.map((p) => [p.id, p.title, p.text]));
    // ...and without them it cannot.
    await expect(datasetOfRef({ ...local, shards: local.shards.map(({ columns: _, ...s }) => s) }, dir, 'datasets[0]', { seed: 1, train: undefined } as never)).rejects.toThrow(/no id column/);
  });

  it('lab bm25 --columns reads the same files and records the roles in the results\' RunConfig; a bad --columns is a usage error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pq-cli-'));
    mkdirSync(join(dir, 'wiki-de'));
    [corpus, topics, qrels].forEach((b, i) => writeFileSync(join(dir, PATHS[i]!), b));
    const files = PATHS.map((p) => join(dir, p));
    const out = join(dir, 'results.json');
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((m: unknown) => { errors.push(String(m)); });
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await bm25(['--columns', 'id=doc_key,text=body,title=heading', ...files, '--out', out])).toBe(0);
      const results = JSON.parse(readFileSync(out, 'utf8'));
      // Each file gets the roles whose columns it has: here only the corpus.
      expect(results.description.config.datasets[0].shards.map((s: { columns?: unknown }) => s.columns)).toEqual([{ id: 'doc_key', text: 'body', title: 'heading' }, undefined, undefined]);
      expect(results.settings.mono.macro.ndcg_cut_10).toBeCloseTo(1, 12);
      expect(await bm25(['--columns', 'body', ...files, '--out', out])).toBe(2);
      expect(errors.join('\n')).toMatch(/--columns: "body" is not role=column/);
      expect(await bm25(['--columns', 'id=a,id=b', ...files, '--out', out])).toBe(2);
      expect(errors.join('\n')).toMatch(/names the id twice/);
      // A column no file has (a typo) is refused by name.
      await expect(bm25(['--columns', 'id=doc_kye,text=body', ...files, '--out', out])).rejects.toThrow(/no Parquet file given has a column "doc_kye" \(for the id\)/);
    } finally {
      spy.mockRestore();
      log.mockRestore();
    }
  });
});
