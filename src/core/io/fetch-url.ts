/**
 * A dataset shard from a URL (a Hugging Face dataset file's /resolve/ link, any
 * static host that allows this page: CORS), streamed with progress and a size
 * limit before it becomes bytes the import takes like a dropped file. Only
 * https (http on this machine's loopback, for local servers and tests); a URL
 * that fails, is cut short, is too large or serves a web page instead of a data
 * file gets a LabError saying which and what to do.
 */
import { LabError } from '../errors.ts';
import { isAllowedRemote } from '../run-config.ts';

export interface FetchedShard {
  /** The file name, from the URL's last path segment. */
  name: string;
  url: string;
  bytes: Uint8Array;
}

export interface FetchUrlOptions {
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** (bytes received, bytes announced or null). */
  onProgress?: (done: number, total: number | null) => void;
  maxBytes?: number;
}

/** Large enough for a MIRACL corpus shard, small enough not to fill a disk by surprise. */
export const MAX_URL_SHARD_BYTES = 2e9;

/** The name a URL's file goes by: its last path segment, decoded (`…/resolve/main/de/corpus.jsonl.gz?download=1` → corpus.jsonl.gz). */
export function fileNameOfUrl(url: string): string {
  const u = new URL(url);
  const last = u.pathname.split('/').filter((p) => p.length > 0).at(-1) ?? '';
  let name: string;
  try { name = decodeURIComponent(last); } catch { name = last; }
  if (!name || /[\\/]/.test(name)) throw new LabError('invalid-argument', `${url} names no file`, { path: 'url' }, 'a URL ending in the file name, e.g. …/corpus.jsonl.gz');
  return name;
}

/** The folder path a URL's file sits in (for a language in a folder name: …/de/corpus.parquet). */
export function pathOfUrl(url: string): string {
  return new URL(url).pathname.split('/').filter((p) => p.length > 0).map((p) => { try { return decodeURIComponent(p); } catch { return p; } }).join('/');
}

export async function fetchUrlShard(url: string, opts: FetchUrlOptions = {}): Promise<FetchedShard> {
  const where = { file: url };
  if (!isAllowedRemote(url)) {
    throw new LabError('invalid-argument', `${url.length > 200 ? `${url.slice(0, 200)}…` : url} is not an https URL`, { path: 'url' }, 'an https URL without credentials (http only for localhost)');
  }
  const name = fileNameOfUrl(url);
  const max = opts.maxBytes ?? MAX_URL_SHARD_BYTES;
  let r: Response;
  try {
    r = await (opts.fetch ?? fetch)(url, { redirect: 'follow', credentials: 'omit', ...(opts.signal ? { signal: opts.signal } : {}) });
  } catch (e) {
    if (opts.signal?.aborted) throw new LabError('cancelled', 'download cancelled', where);
    throw new LabError('network', `could not fetch it (${e instanceof Error ? e.message : String(e)})`, where, 'a reachable server that allows this page (CORS); or download the file and drop it');
  }
  if (!r.ok) throw new LabError('network', `the server answered HTTP ${r.status}${r.statusText ? ` ${r.statusText}` : ''}`, where, r.status === 401 || r.status === 403 ? 'a public file (gated datasets: download it and drop it)' : 'a URL that serves the file');
  const type = (r.headers.get('content-type') ?? '').toLowerCase();
  if (/^text\/html|^application\/xhtml/.test(type)) {
    throw new LabError('unknown-format', 'the URL serves a web page (text/html), not a data file', where, 'the raw file\'s URL (on the Hugging Face hub: the /resolve/ link, not /blob/)');
  }
  const lengthHeader = r.headers.get('content-length');
  const announced = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : null;
  // A gzip-encoded response announces its compressed length; the body we read is decoded.
  const encoded = /gzip|br|deflate|zstd/i.test(r.headers.get('content-encoding') ?? '');
  if (announced !== null && announced > max) throw new LabError('file-too-large', `is ${(announced / 1e6).toFixed(0)} MB`, where, `at most ${(max / 1e9).toFixed(1)} GB per file`);
  if (!r.body) throw new LabError('network', 'the response has no body', where);
  const chunks: Uint8Array[] = [];
  let done = 0;
  const reader = r.body.getReader();
  try {
    for (;;) {
      const { done: end, value } = await reader.read();
      if (end) break;
      done += value.byteLength;
      if (done > max) throw new LabError('file-too-large', `is over ${(max / 1e6).toFixed(0)} MB`, where, `at most ${(max / 1e9).toFixed(1)} GB per file`);
      chunks.push(value);
      opts.onProgress?.(done, encoded ? null : announced);
    }
  } catch (e) {
    if (e instanceof LabError) throw e;
    if (opts.signal?.aborted) throw new LabError('cancelled', 'download cancelled', where);
    throw new LabError('network', `the download broke off after ${done} bytes (${e instanceof Error ? e.message : String(e)})`, where, 'a stable connection; try again');
  }
  if (!encoded && announced !== null && done !== announced) {
    throw new LabError('network', `the download ended after ${done} of the ${announced} bytes announced`, where, 'the whole file; try again');
  }
  if (done === 0) throw new LabError('empty-file', 'the URL served no bytes', where, 'a non-empty file');
  const bytes = new Uint8Array(done);
  let off = 0;
  for (const c of chunks) { bytes.set(c, off); off += c.byteLength; }
  return { name, url, bytes };
}
