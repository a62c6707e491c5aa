/**
 * Node-only helpers: dataset shards from file paths (the CLI, benches and
 * Node tests). The browser passes File objects, which are ShardSources as is.
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { LabError } from '../core/errors.ts';
import { buildDataset, type BuildOptions } from '../core/dataset/build.ts';
import { parseShard, type ParseShardOptions } from '../core/dataset/parse-shard.ts';
import { isParquetName, parquetColumnNames, type ParquetColumns } from '../core/dataset/parse-parquet.ts';
import { languageFromFileName } from '../core/dataset/detect.ts';
import type { ShardSource } from '../core/dataset/shard-source.ts';
import type { Dataset, ParsedShard } from '../core/dataset/types.ts';

/**
 * How each path is named in messages: its file name, or, where two paths share one (a/de.json, b/de.json),
 * the shortest tail of the path that tells them apart.
 */
export function displayNames(paths: readonly string[]): string[] {
  const parts = paths.map((p) => resolve(p).split(/[\\/]+/).filter(Boolean));
  const depth = paths.map(() => 1);
  const name = (i: number): string => parts[i]!.slice(-depth[i]!).join('/');
  for (let round = 0; round < 64; round++) {
    const byName = new Map<string, number[]>();
    paths.forEach((_, i) => byName.set(name(i), [...(byName.get(name(i)) ?? []), i]));
    const clashes = [...byName.values()].filter((ix) => ix.length > 1);
    if (clashes.length === 0) break;
    for (const ix of clashes) for (const i of ix) if (depth[i]! < parts[i]!.length) depth[i]!++;
  }
  return paths.map((_, i) => name(i));
}

export function shardSourceFromPath(path: string, label?: string): ShardSource {
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
    path,
    ...(label && label !== basename(path) ? { label } : {}),
    size,
    stream: () => Readable.toWeb(createReadStream(path, { highWaterMark: 1 << 20 })) as unknown as ReadableStream<Uint8Array>,
    // Random access for Parquet: the footer, then one row group at a time.
    readRange: async (start: number, end: number) => {
      const fh = await open(path, 'r');
      try {
        const buf = new Uint8Array(Math.max(0, end - start));
        let off = 0;
        while (off < buf.length) {
          const { bytesRead } = await fh.read(buf, off, buf.length - off, start + off);
          if (bytesRead === 0) break;
          off += bytesRead;
        }
        return buf.subarray(0, off);
      } finally {
        await fh.close();
      }
    },
  };
}

const DATASET_FILE = /\.(json|jsonl|ndjson|tsv|txt|trec|qrels)(\.gz)?$|\.parquet$/i;

/**
 * File arguments with directories expanded (recursively, sorted) to the files
 * in them that look like dataset shards, as a folder drop does in the page;
 * e.g. `inspect ../shared/data/xquad-r` skips its LICENSE.
 */
export function expandPaths(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let isDir = false;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      /* reported when opened */
    }
    if (!isDir) {
      out.push(p);
      continue;
    }
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        if (e.name.startsWith('.')) continue;
        const full = join(dir, e.name);
        if (e.isDirectory()) walk(full);
        else if (DATASET_FILE.test(e.name)) out.push(full);
      }
    };
    walk(p);
  }
  return out;
}

export interface LoadOptions extends Omit<ParseShardOptions, 'onProgress'>, BuildOptions {
  /** Per-file progress. */
  onProgress?: (file: string, bytesRead: number, totalBytes: number) => void;
  /** Per file: a Parquet file's column roles (a RunConfig's shard records them), over `columns`. */
  columnsOf?: (path: string) => ParquetColumns | undefined;
  /** Per file: its language where the name and folder do not give it (a RunConfig's shard, or `--lang`). */
  langOf?: (path: string) => string | undefined;
}

export async function parseShardsFromPaths(pathsOrDirs: string[], opts: LoadOptions = {}): Promise<ParsedShard[]> {
  const paths = expandPaths(pathsOrDirs);
  if (opts.lang && paths.length > 1) {
    throw new LabError('invalid-argument', 'a language override applies to one file only', {}, 'one file with --lang');
  }
  const out: ParsedShard[] = [];
  const labels = displayNames(paths);
  for (const [i, p] of paths.entries()) {
    const src = shardSourceFromPath(p, labels[i]);
    const onProgress = opts.onProgress;
    const columns = opts.columnsOf?.(p) ?? opts.columns;
    const lang = opts.lang ?? opts.langOf?.(p);
    out.push(
      await parseShard(src, {
        ...(columns ? { columns } : {}),
        ...(lang ? { lang } : {}),
        ...(opts.format ? { format: opts.format } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(onProgress ? { onProgress: (r: number, t: number) => onProgress(src.name, r, t) } : {}),
      }),
    );
  }
  return out;
}

/**
 * Parses the files (folders are expanded, see expandPaths) and builds one
 * Dataset (throws the first LabError). The name defaults to the files'
 * directory name when they share one (../shared/data/xquad-r → "xquad-r").
 */
export async function loadDatasetFromPaths(pathsOrDirs: string[], opts: LoadOptions = {}): Promise<Dataset> {
  const paths = expandPaths(pathsOrDirs);
  return datasetFromShards(paths, await parseShardsFromPaths(paths, opts), opts);
}

/** One Dataset from shards parsed from these paths, named after their folder when they share one. */
export function datasetFromShards(paths: string[], shards: ParsedShard[], opts: Pick<LoadOptions, 'name' | 'errors'> = {}): Dataset {
  const dirs = new Set(paths.map((p) => basename(dirname(resolve(p)))));
  const name = opts.name ?? (dirs.size === 1 ? [...dirs][0] : undefined);
  return buildDataset(shards, { ...(name ? { name } : {}), errors: opts.errors ?? 'throw' });
}

/** How each file is to be read where it does not say itself: from `--columns` and `--lang` (lab bm25, eval, inspect). */
export interface PerFileReading {
  /** Parquet files → the roles whose columns they have. */
  columns: Map<string, ParquetColumns>;
  /** Files whose name and folder give no language → `--lang`. */
  langs: Map<string, string>;
}

export async function perFileReading(files: readonly string[], flags: { columns?: ParquetColumns | undefined; lang?: string | undefined }): Promise<PerFileReading> {
  return {
    columns: flags.columns ? await columnsPerFile(files, flags.columns) : new Map(),
    langs: new Map(flags.lang ? files.filter((p) => !namesLanguage(p)).map((p) => [p, flags.lang!] as const) : []),
  };
}

/** Whether a file's name or folder gives its language (then `--lang` leaves it alone). */
function namesLanguage(path: string): boolean {
  try {
    return languageFromFileName(basename(path), path) !== undefined;
  } catch {
    return false;
  }
}

/**
 * `--columns` for each Parquet file: the roles whose column the file has (a corpus, its queries and its qrels
 * have different columns, and one flag serves them all). A column no Parquet file has is a typo: refused.
 */
async function columnsPerFile(files: readonly string[], wanted: ParquetColumns): Promise<Map<string, ParquetColumns>> {
  const out = new Map<string, ParquetColumns>();
  const used = new Set<string>();
  for (const f of files.filter((p) => isParquetName(p))) {
    const available = new Set((await parquetColumnNames(shardSourceFromPath(f))) ?? []);
    const mine = Object.fromEntries(Object.entries(wanted).filter(([, col]) => available.has(col))) as ParquetColumns;
    for (const col of Object.values(mine)) used.add(col);
    if (Object.keys(mine).length > 0) out.set(f, mine);
  }
  const unknown = Object.entries(wanted).filter(([, col]) => !used.has(col));
  if (unknown.length > 0) {
    throw new LabError('invalid-argument', `--columns: no Parquet file given has a column ${unknown.map(([role, col]) => `"${col}" (for the ${role})`).join(', ')}`, {}, 'column names as the files spell them');
  }
  return out;
}
