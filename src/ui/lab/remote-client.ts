/**
 * Fetching a share link's remote shards, only after the user confirmed:
 * sizes first (HEAD, or unknown), then the bytes, each checked against the
 * link's SHA-256 (core/share/remote.ts) before it becomes a File the import
 * takes like a dropped one.
 */
import { fetchUrlShard } from '../../core/io/fetch-url.ts';
import { verifyRemote, type RemoteShard } from '../../core/share/remote.ts';

export async function remoteSize(url: string): Promise<number | null> {
  try {
    const r = await fetch(url, { method: 'HEAD', redirect: 'follow', credentials: 'omit' });
    if (!r.ok) return null;
    const n = Number(r.headers.get('content-length'));
    return Number.isFinite(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

export async function fetchShard(s: RemoteShard, onProgress?: (done: number, total: number | null) => void): Promise<File> {
  // The same download as a pasted URL (https only, progress, size limit, a web page or a cut-short body refused).
  const got = await fetchUrlShard(s.url, onProgress ? { onProgress } : {});
  await verifyRemote(s, got.bytes);
  return new File([got.bytes as Uint8Array<ArrayBuffer>], s.name.split('/').at(-1) ?? s.name);
}
