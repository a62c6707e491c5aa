/**
 * Node-only helpers: dataset shards from file paths (the CLI, benches and
 * Node tests). The browser passes File objects, which are ShardSources as is.
 */
import { createReadStream, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { LabError } from '../core/errors.ts';
import { buildDataset, type BuildOptions } from '../core/dataset/build.ts';
import { parseShard, type ParseShardOptions } from '../core/dataset/parse-shard.ts';
import type { ShardSource } from '../core/dataset/shard-source.ts';
import type { Dataset, ParsedShard } from '../core/dataset/types.ts';

export function shardSourceFromPath(path: string): ShardSource {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new LabError('invalid-argument', 'not a regular file', { file: path }, 'a dataset file');
    size = st.size;
  } catch (e) {
    if (e instanceof LabError) throw e;
    throw new LabError('invalid-argument', `cannot open (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { file: path }, 'an existing, readable file');
  }
  return {
    name: basename(path),
    size,
    stream: () => Readable.toWeb(createReadStream(path, { highWaterMark: 1 << 20 })) as unknown as ReadableStream<Uint8Array>,
  };
}

export interface LoadOptions extends Omit<ParseShardOptions, 'onProgress'>, BuildOptions {
  /** Per-file progress. */
  onProgress?: (file: string, bytesRead: number, totalBytes: number) => void;
}

export async function parseShardsFromPaths(paths: string[], opts: LoadOptions = {}): Promise<ParsedShard[]> {
  if (opts.lang && paths.length > 1) {
    throw new LabError('invalid-argument', 'a language override applies to one file only', {}, 'one file with --lang');
  }
  const out: ParsedShard[] = [];
  for (const p of paths) {
    const src = shardSourceFromPath(p);
    const onProgress = opts.onProgress;
    out.push(
      await parseShard(src, {
        ...(opts.lang ? { lang: opts.lang } : {}),
        ...(opts.format ? { format: opts.format } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(onProgress ? { onProgress: (r: number, t: number) => onProgress(src.name, r, t) } : {}),
      }),
    );
  }
  return out;
}

/**
 * Parses the files and builds one Dataset (throws the first LabError). The
 * name defaults to the files' directory name when they share one
 * (../shared/data/xquad-r/*.json → "xquad-r").
 */
export async function loadDatasetFromPaths(paths: string[], opts: LoadOptions = {}): Promise<Dataset> {
  const shards = await parseShardsFromPaths(paths, opts);
  const dirs = new Set(paths.map((p) => basename(dirname(resolve(p)))));
  const name = opts.name ?? (dirs.size === 1 ? [...dirs][0] : undefined);
  return buildDataset(shards, { ...(name ? { name } : {}), errors: opts.errors ?? 'throw' });
}
