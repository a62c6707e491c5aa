/**
 * Downloads a model from a Hugging Face-compatible hub with ONE overall
 * progress (bytes done / total across all files, and speed), checks what it
 * can before the large files move (architecture, gating, existence, size
 * against the device budget), and reuses a cache so a model loaded once
 * loads again offline.
 *
 * Order of work, so that a doomed download fails in seconds, not after 1 GB:
 *   1. config.json            → gated / missing repo / unsupported model_type
 *   2. small metadata files   → modules.json decides the sentence-transformers files
 *   3. HEAD every large file  → missing files, total size, `model-too-large`
 *   4. GET the large files    → streamed, counted into the one progress
 *   5. cache every file, then the manifest last, so a half-cached model is never taken for a whole one
 */
import { formatBytes } from '../format.ts';
import { LabError } from '../errors.ts';
import { fetchFailure, hubHttpError, isAbort } from './errors.ts';
import {
  checkModelType, memoryProvider, moduleFiles, OPTIONAL_METADATA_FILES, parseJsonFile, parseModules,
  type FileProvider, type SupportedModelType,
} from './model-files.ts';
import { fileKey, resolveUrl, type HubModelRef } from './url.ts';

/** Byte store for model files (IndexedDB in the app, fake-indexeddb in tests); see src/store/model-cache.ts. */
export interface ModelFileCache {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array): Promise<void>;
}

export interface DownloadProgress {
  phase: 'checking' | 'downloading' | 'done';
  /** File being transferred now (last one when done). */
  file: string;
  bytesDone: number;
  /** 0 until the sizes are known (after the HEAD requests). Never below bytesDone. */
  bytesTotal: number;
  /** Average network speed since the large downloads started (bytes/s); 0 for cache hits. */
  bytesPerSecond: number;
  filesDone: number;
  filesTotal: number;
  fromCache: boolean;
}

export interface HubLoadOptions {
  fetch?: typeof fetch;
  cache?: ModelFileCache;
  /** Refuse models whose files together exceed this many bytes (`model-too-large`). */
  maxBytes?: number;
  /** Hub access token for gated / private models (sent as `Authorization: Bearer`). */
  token?: string;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  /** Clock for speed (ms); injectable so tests need no timers. */
  now?: () => number;
  /** Minimum ms between progress events while streaming (the last event always comes). */
  progressIntervalMs?: number;
}

export interface ModelFileEntry { path: string; size: number }

export interface LoadedModelFiles {
  ref: HubModelRef;
  modelType: SupportedModelType;
  files: Map<string, Uint8Array>;
  provider: FileProvider;
  /** True when every file came from the cache (no network used). */
  fromCache: boolean;
  totalBytes: number;
  /** Seconds the whole load took. */
  seconds: number;
  /** Set when the files could not be cached (e.g. storage quota); the model itself loaded. */
  cacheWarning?: string | undefined;
}

/** Cache record that marks a model as completely stored (written after all files). */
export const MANIFEST_FILE = '.polyglot-lab-manifest.json';
interface Manifest { version: 1; modelType: SupportedModelType; files: ModelFileEntry[] }

export async function loadModelFromHub(ref: HubModelRef, opts: HubLoadOptions = {}): Promise<LoadedModelFiles> {
  const now = opts.now ?? (() => performance.now());
  const started = now();
  const cached = await fromCache(ref, opts);
  if (cached) {
    const totalBytes = [...cached.files.values()].reduce((s, b) => s + b.byteLength, 0);
    opts.onProgress?.({ phase: 'done', file: '', bytesDone: totalBytes, bytesTotal: totalBytes, bytesPerSecond: 0,
      filesDone: cached.files.size, filesTotal: cached.files.size, fromCache: true });
    return { ref, modelType: cached.modelType, files: cached.files, provider: memoryProvider(cached.files), fromCache: true, totalBytes, seconds: (now() - started) / 1000 };
  }
  return new HubDownload(ref, opts, now, started).run();
}

async function fromCache(ref: HubModelRef, opts: HubLoadOptions): Promise<{ files: Map<string, Uint8Array>; modelType: SupportedModelType } | undefined> {
  const cache = opts.cache;
  if (!cache) return undefined;
  const mBytes = await cache.get(fileKey(ref, MANIFEST_FILE)).catch(() => undefined);
  if (!mBytes) return undefined;
  let manifest: Manifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(mBytes)) as Manifest;
  } catch {
    return undefined;
  }
  const files = new Map<string, Uint8Array>();
  for (const f of manifest.files) {
    const b = await cache.get(fileKey(ref, f.path)).catch(() => undefined);
    // A file evicted or resized since: treat the model as not cached and download it again.
    if (!b || b.byteLength !== f.size) return undefined;
    files.set(f.path, b);
  }
  return { files, modelType: manifest.modelType };
}

/** A 404 for this file only (not for the whole repo or revision). */
function isMissingEntry(res: Response): boolean {
  const code = res.headers.get('x-error-code');
  return code !== 'RepositoryNotFound' && code !== 'RevisionNotFound';
}

class HubDownload {
  private readonly f: typeof fetch;
  private readonly files = new Map<string, Uint8Array>();
  private bytesDone = 0;
  private bytesTotal = 0;
  private netBytes = 0;
  private netStart: number | undefined;
  private lastEmit = -Infinity;
  private filesTotal = 0;
  private readonly stored = new Set<string>();

  constructor(private readonly ref: HubModelRef, private readonly opts: HubLoadOptions, private readonly now: () => number, private readonly started: number) {
    this.f = opts.fetch ?? globalThis.fetch.bind(globalThis);
  }

  async run(): Promise<LoadedModelFiles> {
    const { ref } = this;
    const name = `"${ref.id}"`;
    this.emit('checking', 'config.json', true);

    // 1. config.json: the repo exists, is accessible, and is an encoder we implement.
    const configBytes = await this.getSmall('config.json', true);
    const modelType = checkModelType(parseJsonFile(configBytes!, 'config.json'), name);

    // 2. Small optional metadata; modules.json adds the sentence-transformers module files.
    for (const file of OPTIONAL_METADATA_FILES) await this.getSmall(file, false);
    const modulesBytes = this.files.get('modules.json');
    const mods = modulesBytes ? moduleFiles(parseModules(parseJsonFile(modulesBytes, 'modules.json'))) : { required: [], optional: [] };

    // 3. Sizes of the large files, before any of them moves.
    const large: { path: string; required: boolean }[] = [
      { path: 'tokenizer.json', required: true },
      ...mods.required.map((path) => ({ path, required: true })),
      ...mods.optional.map((path) => ({ path, required: false })),
    ];
    const sized: ModelFileEntry[] = await this.weightFiles();
    for (const { path, required } of large) {
      const size = await this.sizeOf(path, required);
      if (size !== undefined) sized.push({ path, size });
    }
    const smallBytes = [...this.files.values()].reduce((s, b) => s + b.byteLength, 0);
    this.bytesTotal = smallBytes + sized.reduce((s, f) => s + f.size, 0);
    this.bytesDone = smallBytes;
    this.filesTotal = this.files.size + sized.length;
    const max = this.opts.maxBytes;
    if (max !== undefined && this.bytesTotal > max) {
      throw new LabError('model-too-large', `model ${name} needs ${formatBytes(this.bytesTotal)} of files, more than this device's budget of ${formatBytes(max)}`,
        { file: 'model.safetensors' }, `at most ${formatBytes(max)}; pick a smaller model (e.g. a MiniLM or e5-small)`);
    }

    // 4. The large files, streamed into one progress.
    this.netStart = this.now();
    for (const { path, size } of sized) await this.getLarge(path, size);
    this.emit('done', sized.at(-1)?.path ?? 'config.json', true);

    // 5. Cache: files first, manifest last. A full disk costs the offline copy, not the loaded model.
    let cacheWarning: string | undefined;
    try {
      await this.store(modelType);
    } catch (e) {
      cacheWarning = `model not cached for offline use: ${e instanceof Error ? e.message : String(e)}`;
    }
    return {
      ref, modelType, files: this.files, provider: memoryProvider(this.files), fromCache: false, cacheWarning,
      totalBytes: this.bytesDone, seconds: (this.now() - this.started) / 1000,
    };
  }

  private headers(): Record<string, string> {
    return this.opts.token ? { Authorization: `Bearer ${this.opts.token}` } : {};
  }

  private async request(path: string, method: 'GET' | 'HEAD'): Promise<Response> {
    if (this.opts.signal?.aborted) throw new LabError('cancelled', `download of model "${this.ref.id}" was cancelled`, { file: path });
    try {
      return await this.f(resolveUrl(this.ref, path), { method, redirect: 'follow', headers: this.headers(), signal: this.opts.signal ?? null });
    } catch (e) {
      throw fetchFailure(e, this.ref, path);
    }
  }

  /** A file from the cache when stored there (a retried download resumes per file). */
  private async cachedFile(path: string): Promise<Uint8Array | undefined> {
    return this.opts.cache?.get(fileKey(this.ref, path)).catch(() => undefined);
  }

  private async getSmall(path: string, required: boolean): Promise<Uint8Array | undefined> {
    const res = await this.request(path, 'GET');
    if (res.status === 404 && !required && isMissingEntry(res)) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw hubHttpError(res.status, res.headers.get('x-error-code'), this.ref, path);
    }
    const bytes = await this.readBody(res, path, 0, false);
    this.files.set(path, bytes);
    return bytes;
  }

  private async sizeOf(path: string, required: boolean): Promise<number | undefined> {
    const res = await this.request(path, 'HEAD');
    if (res.status === 404 && !required && isMissingEntry(res)) return undefined;
    // The hub said yes (302) but the CDN refused a HEAD (URLs signed for GET only): size unknown
    // until the GET starts; the hub's own answers (401/403/404) never come redirected.
    if (!res.ok && res.redirected && res.status !== 404) return 0;
    if (!res.ok) {
      throw hubHttpError(res.status, res.headers.get('x-error-code'), this.ref, path);
    }
    // After a redirect the CDN's Content-Length is the file size; the hub's own 302 carries X-Linked-Size.
    const len = Number(res.headers.get('content-length') ?? res.headers.get('x-linked-size') ?? NaN);
    return Number.isFinite(len) && len >= 0 ? len : 0;
  }

  /** model.safetensors, or the shards model.safetensors.index.json lists; the index itself is fetched as a small file. */
  private async weightFiles(): Promise<ModelFileEntry[]> {
    const single = await this.sizeOf('model.safetensors', false);
    if (single !== undefined) return [{ path: 'model.safetensors', size: single }];
    const index = await this.getSmall('model.safetensors.index.json', false);
    if (index) {
      const map = (parseJsonFile(index, 'model.safetensors.index.json') as { weight_map?: unknown }).weight_map;
      const shards = typeof map === 'object' && map !== null ? [...new Set(Object.values(map as Record<string, unknown>))] : [];
      if (shards.length === 0 || !shards.every((s): s is string => typeof s === 'string' && s.endsWith('.safetensors'))) {
        throw new LabError('model-config', 'has no "weight_map" of tensor names to .safetensors shards', { file: 'model.safetensors.index.json', path: 'weight_map' },
          '{"weight_map": {"<tensor>": "model-00001-of-00002.safetensors", …}}');
      }
      const out: ModelFileEntry[] = [];
      for (const shard of shards) out.push({ path: shard, size: (await this.sizeOf(shard, true))! });
      return out;
    }
    const bin = await this.request('pytorch_model.bin', 'HEAD').catch(() => undefined);
    if (bin?.ok) {
      throw new LabError('model-unsupported', `model "${this.ref.id}" has only PyTorch weights (pytorch_model.bin, a Python pickle the browser cannot read), no model.safetensors`,
        { file: 'model.safetensors' }, 'a model.safetensors file (pick a revision that has one, or convert the weights)');
    }
    throw hubHttpError(404, 'EntryNotFound', this.ref, 'model.safetensors');
  }

  private async getLarge(path: string, size: number): Promise<void> {
    const hit = await this.cachedFile(path);
    if (hit && hit.byteLength === size) {
      this.files.set(path, hit);
      this.bytesDone += size;
      this.emit('downloading', path, true);
      return;
    }
    const res = await this.request(path, 'GET');
    if (!res.ok) {
      await res.body?.cancel();
      throw hubHttpError(res.status, res.headers.get('x-error-code'), this.ref, path);
    }
    let expected = size;
    if (expected === 0 && (res.headers.get('content-encoding') ?? 'identity') === 'identity') {
      // Size unknown from HEAD: the GET's Content-Length joins the total now.
      const len = Number(res.headers.get('content-length') ?? NaN);
      if (Number.isFinite(len) && len > 0) {
        expected = len;
        this.bytesTotal += len;
      }
    }
    const bytes = await this.readBody(res, path, expected, true);
    this.files.set(path, bytes);
    // Each large file is cached as soon as it is complete, so a download that fails later
    // (network, cancel) resumes from the files already stored; the manifest still comes last.
    if (this.opts.cache) {
      try {
        await this.opts.cache.put(fileKey(this.ref, path), bytes);
        this.stored.add(path);
      } catch {
        // Reported once, by store(), which tries again.
      }
    }
  }

  /** Streams a body, counting every chunk into the overall progress. */
  private async readBody(res: Response, path: string, expected: number, counted: boolean): Promise<Uint8Array> {
    const encoded = (res.headers.get('content-encoding') ?? 'identity') !== 'identity';
    let buf = new Uint8Array(expected > 0 && !encoded ? expected : 64 * 1024);
    let n = 0;
    const body = res.body;
    if (!body) {
      buf = new Uint8Array(await res.arrayBuffer());
      n = buf.byteLength;
      if (counted) this.count(path, n);
    } else {
      const reader = body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          if (n + value.byteLength > buf.byteLength) {
            const grown = new Uint8Array(Math.max(buf.byteLength * 2, n + value.byteLength));
            grown.set(buf.subarray(0, n));
            buf = grown;
          }
          buf.set(value, n);
          n += value.byteLength;
          if (counted) this.count(path, value.byteLength);
        }
      } catch (e) {
        if (isAbort(e)) throw new LabError('cancelled', `download of "${path}" of model "${this.ref.id}" was cancelled`, { file: path });
        throw fetchFailure(e, this.ref, path);
      }
    }
    if (counted && expected > 0 && !encoded && n !== expected) {
      throw new LabError('network', `download of "${path}" of model "${this.ref.id}" was cut short: ${n} of ${expected} bytes`, { file: path },
        `${expected} bytes; retry`);
    }
    return n === buf.byteLength ? buf : buf.slice(0, n);
  }

  private count(path: string, bytes: number): void {
    this.netBytes += bytes;
    this.bytesDone += bytes;
    // A compressed transfer can deliver more bytes than Content-Length said: grow the total, never shrink the bar.
    if (this.bytesDone > this.bytesTotal) this.bytesTotal = this.bytesDone;
    this.emit('downloading', path, false);
  }

  private filesDone = 0;
  private emit(phase: DownloadProgress['phase'], file: string, force: boolean): void {
    if (!this.opts.onProgress) return;
    const t = this.now();
    if (!force && t - this.lastEmit < (this.opts.progressIntervalMs ?? 100)) return;
    this.lastEmit = t;
    const secs = this.netStart === undefined ? 0 : (t - this.netStart) / 1000;
    this.filesDone = phase === 'done' ? this.filesTotal : [...this.files.keys()].length;
    this.opts.onProgress({
      phase, file, bytesDone: this.bytesDone, bytesTotal: this.bytesTotal,
      bytesPerSecond: secs > 0 ? this.netBytes / secs : 0,
      filesDone: this.filesDone, filesTotal: this.filesTotal, fromCache: false,
    });
  }

  private async store(modelType: SupportedModelType): Promise<void> {
    const cache = this.opts.cache;
    if (!cache) return;
    const entries: ModelFileEntry[] = [];
    for (const [path, bytes] of this.files) {
      if (!this.stored.has(path)) await cache.put(fileKey(this.ref, path), bytes);
      entries.push({ path, size: bytes.byteLength });
    }
    const manifest: Manifest = { version: 1, modelType, files: entries };
    await cache.put(fileKey(this.ref, MANIFEST_FILE), new TextEncoder().encode(JSON.stringify(manifest)));
  }
}
