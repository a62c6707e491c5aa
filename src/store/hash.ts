/** Content hashes: a shard is its bytes, whatever the file is called. */
import { sha256Hex } from '../core/io/sha256.ts';

export { sha256Hex };

/** A dataset's id: the hash of its sorted shard hashes, so the same shard set is the same dataset. */
export async function datasetIdOf(shardHashes: readonly string[]): Promise<string> {
  const joined = [...shardHashes].sort().join('\n');
  return sha256Hex(new TextEncoder().encode(joined));
}
