/**
 * A stored dataset as a RunConfig names it: its shards by name and SHA-256,
 * with what is needed to get and read them again elsewhere (the URL they came
 * from, a Parquet shard's chosen column roles). One place, so every run, result
 * and share link made in the page names shards the same way.
 */
import type { DatasetRef } from '../core/run-config.ts';
import type { DatasetRecord, ShardMeta } from './schema.ts';

export function shardRefOf(s: ShardMeta): DatasetRef['shards'][number] {
  return { name: s.name, sha256: s.sha256, ...(s.url ? { url: s.url } : {}), ...(s.columns ? { columns: s.columns } : {}) };
}

export function datasetRefOf(rec: Pick<DatasetRecord, 'name' | 'shards'>, split: DatasetRef['split'] = 'all'): DatasetRef {
  return { name: rec.name, shards: rec.shards.map(shardRefOf), split };
}
