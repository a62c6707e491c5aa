/**
 * The remote inputs a RunConfig names — dataset shards with a URL, a hub
 * model — which a share link may offer to fetch. Nothing is fetched until
 * the user has seen each URL and its size and confirmed; every byte fetched
 * must have the SHA-256 the config records, or it is refused.
 */
import { LabError } from '../errors.ts';
import type { ParquetColumns } from '../dataset/parse-parquet.ts';
import { isAllowedRemote, type RunConfig } from '../run-config.ts';
import { sha256Hex } from '../io/sha256.ts';

export interface RemoteShard {
  dataset: string;
  name: string;
  url: string;
  sha256: string;
  /** A Parquet shard's column roles, as the config records them. */
  columns?: ParquetColumns;
  /** Its language where its name does not give it, as the config records it. */
  lang?: string;
}

/** The shards of the config's datasets (evaluation and training) that carry a URL, each once. */
export function remoteShards(c: RunConfig): RemoteShard[] {
  const refs = [...c.datasets, ...(c.train?.data ?? [])];
  const seen = new Set<string>();
  const out: RemoteShard[] = [];
  for (const d of refs) {
    for (const s of d.shards) {
      if (!s.url || seen.has(s.sha256)) continue;
      seen.add(s.sha256);
      out.push({ dataset: d.name, name: s.name, url: s.url, sha256: s.sha256, ...(s.columns ? { columns: s.columns } : {}), ...(s.lang ? { lang: s.lang } : {}) });
    }
  }
  return out;
}

/** Fetch limits for one shard: large enough for a MIRACL corpus shard, small enough not to fill a disk by surprise. */
export const MAX_REMOTE_SHARD_BYTES = 2e9;

/** Checks fetched bytes against the config: size limit, then SHA-256. */
export async function verifyRemote(shard: RemoteShard, bytes: Uint8Array): Promise<void> {
  if (!isAllowedRemote(shard.url)) throw new LabError('invalid-argument', `${shard.url} is not an allowed URL`, { file: shard.name }, 'an https URL');
  if (bytes.byteLength > MAX_REMOTE_SHARD_BYTES) throw new LabError('file-too-large', `is ${(bytes.byteLength / 1e6).toFixed(0)} MB`, { file: shard.name }, `at most ${MAX_REMOTE_SHARD_BYTES / 1e9} GB`);
  const got = await sha256Hex(bytes);
  if (got !== shard.sha256) {
    throw new LabError('invalid-argument', `${shard.url} gave bytes with SHA-256 ${got.slice(0, 12)}…, not the ${shard.sha256.slice(0, 12)}… the link records`, { file: shard.name }, 'the same file the link was made with');
  }
}
