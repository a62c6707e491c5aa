/** Content hashes: a shard is its bytes, whatever the file is called. */

export async function sha256Hex(data: ArrayBuffer | Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', data as BufferSource);
  return toHex(new Uint8Array(digest));
}

export async function sha256OfBlob(blob: Blob): Promise<string> {
  return sha256Hex(await blob.arrayBuffer());
}

/** A dataset's id: the hash of its sorted shard hashes, so the same shard set is the same dataset. */
export async function datasetIdOf(shardHashes: readonly string[]): Promise<string> {
  const joined = [...shardHashes].sort().join('\n');
  return sha256Hex(new TextEncoder().encode(joined));
}

function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
