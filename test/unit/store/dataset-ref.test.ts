/**
 * A stored dataset as its RunConfig names it: every shard by name and SHA-256, plus what the file itself does
 * not say — a language chosen at import, Parquet column roles — so the command line reads the same files the
 * same way. And the command line's own --lang for Hugging Face's language-less folders (corpus/, queries/).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it, vi } from 'vitest';
import { run as bm25 } from '../../../src/cli/commands/bm25.ts';
import { shardSourceFromBytes } from '../../../src/core/dataset/shard-source.ts';
import { makeRunConfig } from '../../../src/core/run-config.ts';
import { remoteShards } from '../../../src/core/share/remote.ts';
import { datasetOfRef } from '../../../src/node/run-inputs.ts';
import { datasetRefOf } from '../../../src/store/dataset-ref.ts';
import { importShards } from '../../../src/store/import.ts';
import { freshDb } from './helpers.ts';

const parquet = (columnData: { name: string; data: unknown[]; type: string }[]) => new Uint8Array(parquetWriteBuffer({ columnData } as never));
const TABLES: Record<string, Uint8Array> = {
  corpus: parquet([{ name: '_id', data: ['d1', 'd2', 'd3'], type: 'STRING' }, { name: 'text', data: ['alpha beta', 'gamma delta', 'epsilon'], type: 'STRING' }]),
  queries: parquet([{ name: '_id', data: ['q1', 'q2'], type: 'STRING' }, { name: 'text', data: ['gamma', 'epsilon'], type: 'STRING' }]),
  default: parquet([{ name: 'query-id', data: ['q1', 'q2'], type: 'STRING' }, { name: 'corpus-id', data: ['d2', 'd3'], type: 'STRING' }, { name: 'score', data: [1, 1], type: 'INT32' }]),
};
/** Hugging Face's layout for a monolingual MTEB set: one folder per table, none naming the language. */
function writeHubLayout(): { root: string; files: string[] } {
  const root = mkdtempSync(join(tmpdir(), 'hub-mono-'));
  const files = Object.entries(TABLES).map(([table, bytes]) => {
    mkdirSync(join(root, table));
    writeFileSync(join(root, table, 'test-00000-of-00001.parquet'), bytes);
    return join(root, table, 'test-00000-of-00001.parquet');
  });
  return { root, files };
}

describe('what a RunConfig records of a shard', () => {
  it('a language chosen at import travels with the shard; one its name gives does not', async () => {
    const names = ['corpus/test-00000-of-00001.parquet', 'queries/test-00000-of-00001.parquet', 'default/test-00000-of-00001.parquet'];
    const db = await freshDb();
    const out = await importShards(db, Object.values(TABLES).map((b, i) => ({ ...shardSourceFromBytes(names[i]!.split('/')[1]!, b), path: names[i]! })),
      { paths: names, languages: ['en', 'en', null] });
    if (!out.ok) throw new Error(JSON.stringify(out.errors));
    const ref = datasetRefOf(out.record);
    expect(ref.shards.map((s) => s.lang)).toEqual(['en', 'en', undefined]);
    // The command line, given that RunConfig and the same files, reads English without being told.
    const { root } = writeHubLayout();
    const config = makeRunConfig({ version: 1, kind: 'bm25', model: { source: 'bm25', k1: 0.9, b: 0.4 }, backend: 'cpu', datasets: [ref], eval: { settings: ['mono'] } });
    const ds = await datasetOfRef(config.datasets[0]!, root, 'datasets[0]', { seed: 1, train: undefined } as never);
    expect(ds.languages).toEqual(['en']);
    expect(ds.queries).toHaveLength(2);
    // A share link's receiver is offered the file with that language already chosen.
    const linked = { ...config, datasets: [{ ...ref, shards: ref.shards.map((x) => ({ ...x, url: `https://example.org/${x.name}` })) }] };
    expect(remoteShards(linked).map((r) => r.lang)).toEqual(['en', 'en', undefined]);
    // The schema refuses a language the lab does not know.
    expect(() => makeRunConfig({ ...config, datasets: [{ ...ref, shards: [{ ...ref.shards[0]!, lang: 'xx' }] }] })).toThrow(/ISO 639-1/);

    // A file whose folder names its language records none.
    const named = await importShards(await freshDb(), [{ ...shardSourceFromBytes('test-00000-of-00001.parquet', TABLES.corpus!), path: 'de-corpus/test-00000-of-00001.parquet' }], { paths: ['de-corpus/test-00000-of-00001.parquet'] });
    if (!named.ok) throw new Error(JSON.stringify(named.errors));
    expect(datasetRefOf(named.record).shards[0]!.lang).toBeUndefined();
  });

  it('lab bm25 --lang gives the language of the files whose name and folder give none, and records it', async () => {
    const { root } = writeHubLayout();
    const out = join(mkdtempSync(join(tmpdir(), 'hub-out-')), 'results.json');
    const errors: string[] = [];
    const err = vi.spyOn(console, 'error').mockImplementation((m: unknown) => { errors.push(String(m)); });
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await expect(bm25([root, '--out', out])).rejects.toThrow(/cannot tell the language/);
      expect(await bm25([root, '--lang', 'en', '--out', out])).toBe(0);
      const results = JSON.parse(readFileSync(out, 'utf8'));
      expect(results.description.config.datasets[0].shards.map((s: { lang?: string }) => s.lang)).toEqual(['en', 'en', 'en']);
      expect(results.settings.mono.macro.ndcg_cut_10).toBeCloseTo(1, 12);
      expect(await bm25([root, '--lang', 'xx', '--out', out])).toBe(2);
      expect(errors.join('\n')).toMatch(/"xx"/);
    } finally {
      err.mockRestore();
      log.mockRestore();
    }
  });
});
