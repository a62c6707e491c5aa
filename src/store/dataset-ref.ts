/**
 * A stored dataset as a RunConfig names it: its shards by name and SHA-256,
 * with what is needed to get and read them again elsewhere (the URL they came
 * from, a Parquet shard's chosen column roles). One place, so every run, result
 * and share link made in the page names shards the same way.
 */
import { languageFromFileName } from '../core/dataset/detect.ts';
import { baseName } from '../core/dataset/shard-source.ts';
import type { DatasetRef } from '../core/run-config.ts';
import type { DatasetRecord, ShardMeta } from './schema.ts';

export function shardRefOf(s: ShardMeta): DatasetRef['shards'][number] {
  return { name: s.name, sha256: s.sha256, ...(s.url ? { url: s.url } : {}), ...(s.columns ? { columns: s.columns } : {}), ...(chosenLang(s) ? { lang: s.lang! } : {}) };
}

/** Whether the shard's language was chosen at import rather than read from its name or folder (then it must travel). */
function chosenLang(s: ShardMeta): boolean {
  if (!s.lang) return false;
  try {
    return languageFromFileName(baseName(s.name), s.name) !== s.lang;
  } catch {
    return true; // the name holds a token that is not a language: only the choice says it
  }
}

export function datasetRefOf(rec: Pick<DatasetRecord, 'name' | 'shards'>, split: DatasetRef['split'] = 'all'): DatasetRef {
  return { name: rec.name, shards: rec.shards.map(shardRefOf), split };
}
