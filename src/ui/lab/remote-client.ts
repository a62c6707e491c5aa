/**
 * Fetching a share link's remote shards, only after the user confirmed:
 * sizes first (HEAD, or unknown), then the bytes, each checked against the
 * link's SHA-256 (core/share/remote.ts) before it becomes a File the import
 * takes like a dropped one.
 */
import { LabError } from '../../core/errors.ts';
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

export async function fetchShard(s: RemoteShard): Promise<File> {
  let r: Response;
  try {
    r = await fetch(s.url, { redirect: 'follow', credentials: 'omit' });
  } catch (e) {
    throw new LabError('network', `could not fetch ${s.url}: ${e instanceof Error ? e.message : String(e)} (offline, or the server does not allow this page: CORS)`, { file: s.name });
  }
  if (!r.ok) throw new LabError('network', `${s.url} answered HTTP ${r.status}`, { file: s.name });
  const bytes = new Uint8Array(await r.arrayBuffer());
  await verifyRemote(s, bytes);
  return new File([bytes], s.name.split('/').at(-1) ?? s.name);
}
