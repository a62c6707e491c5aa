/**
 * Node only: where the command line gets a model's files — a folder on disk
 * when one exists at that path, else a hub id fetched from
 * {host}/{id}/resolve/{revision}/… and cached on disk (FsModelCache), so it
 * also works offline. Used by `lab embed` and `lab eval`.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { LabError } from '../core/errors.ts';
import { formatBytes } from '../core/format.ts';
import { loadModelFromHub, type ModelFileCache } from '../core/hub/download.ts';
import { REQUIRED_FILES, type FileProvider } from '../core/hub/model-files.ts';
import { DEFAULT_HUB_HOST, DEFAULT_REVISION, hubRef } from '../core/hub/url.ts';
import type { ModelOrigin } from '../core/model/session.ts';
import { folderFileProvider } from './model-folder.ts';

export interface ModelSourceArgs {
  /** A folder path, or a hub id. */
  model: string;
  host: string;
  revision: string;
  token?: string;
  /** Hub download cache; none with --no-cache. */
  cacheDir?: string;
}

/** Hub options from the environment: $HF_ENDPOINT, $HF_TOKEN, $POLYGLOT_LAB_CACHE. */
export function hubDefaults(v: { host?: string; revision?: string; token?: string; cacheDir?: string; noCache?: boolean }): Omit<ModelSourceArgs, 'model'> {
  const env = process.env;
  const token = v.token ?? env.HF_TOKEN;
  const cacheDir = v.noCache ? undefined : (v.cacheDir ?? env.POLYGLOT_LAB_CACHE ?? join(homedir(), '.cache', 'polyglot-lab', 'hub'));
  return {
    host: v.host ?? env.HF_ENDPOINT ?? DEFAULT_HUB_HOST, revision: v.revision ?? DEFAULT_REVISION,
    ...(token ? { token } : {}), ...(cacheDir ? { cacheDir } : {}),
  };
}

export function isFolder(p: string): boolean {
  try {
    return existsSync(p) && statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Reads model files from a folder on disk, on demand; never outside the folder. */
export const nodeFolderProvider = folderFileProvider;

/** The model's files and where they came from. Folders must hold the required files (named when missing). */
export async function modelFiles(args: ModelSourceArgs, log: (line: string) => void = () => {}): Promise<{ files: FileProvider; origin: ModelOrigin; folder?: string }> {
  const started = performance.now();
  if (isFolder(args.model)) {
    const dir = resolve(args.model);
    log(`model: folder ${dir}`);
    const missing = REQUIRED_FILES.filter((f) => !existsSync(join(dir, f)));
    if (missing.length > 0) {
      throw new LabError('model-weights', `the model folder has no ${missing.join(', ')}`, { file: join(args.model, missing[0]!) },
        'a Hugging Face model folder with config.json, model.safetensors and tokenizer.json');
    }
    const name = dir.split(/[\\/]/).filter(Boolean).pop() ?? 'model';
    return {
      files: folderFileProvider(dir), folder: dir,
      origin: { label: name, source: { source: 'folder', name, sha256: '0'.repeat(64) }, fromCache: false, totalBytes: 0, seconds: (performance.now() - started) / 1000 },
    };
  }
  if (/^(\.|\/|~)|\\/.test(args.model) || existsSync(args.model)) {
    throw new LabError('invalid-argument', `model folder "${args.model}" does not exist`, { path: '--model' }, 'a folder with config.json, or a hub id');
  }
  const ref = hubRef(args.model, args.revision, args.host);
  let lastPct = -1;
  const files = await loadModelFromHub(ref, {
    ...(args.cacheDir ? { cache: new FsModelCache(args.cacheDir) } : {}),
    ...(args.token ? { token: args.token } : {}),
    progressIntervalMs: 500,
    onProgress: (p) => {
      if (p.fromCache || p.bytesTotal === 0) return;
      const pct = Math.floor((100 * p.bytesDone) / p.bytesTotal);
      if (pct === lastPct) return;
      lastPct = pct;
      log(`downloading ${ref.id}: ${pct}% (${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}, ${formatBytes(p.bytesPerSecond)}/s)`);
    },
  });
  log(`model: ${ref.id}@${ref.revision} from ${files.fromCache ? 'the cache' : ref.host} (${formatBytes(files.totalBytes)})`);
  if (files.cacheWarning) log(`warning: ${files.cacheWarning}`);
  return {
    files: files.provider,
    origin: {
      label: `${ref.id}@${ref.revision}`, source: { source: 'hub', id: ref.id, revision: ref.revision, host: ref.host },
      host: ref.host, fromCache: files.fromCache, totalBytes: files.totalBytes, seconds: files.seconds,
      ...(files.cacheWarning ? { cacheWarning: files.cacheWarning } : {}),
    },
  };
}

/** The hub download cache on disk: one file per key (its sha256), written atomically. */
export class FsModelCache implements ModelFileCache {
  constructor(private readonly dir: string) {}
  private file(key: string): string {
    return join(this.dir, createHash('sha256').update(key).digest('hex'));
  }
  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.file(key)));
    } catch {
      return undefined;
    }
  }
  async put(key: string, bytes: Uint8Array): Promise<void> {
    const path = this.file(key);
    await mkdir(dirname(resolve(path)), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    try {
      await writeFile(tmp, bytes);
      await rename(tmp, path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }
}
