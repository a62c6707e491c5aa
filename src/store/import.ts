/**
 * Import = parse every file (streaming, with progress), refuse duplicates,
 * build the dataset, then store shards + dataset + parsed cache in one
 * transaction. Errors are collected across files, so one attempt lists every
 * broken file at once; any error means nothing is written.
 */
import { isLabError, LabError, type DiagnosticJSON } from '../core/errors.ts';
import { buildDataset } from '../core/dataset/build.ts';
import { detectShardSourceFormat, languageFromFileName } from '../core/dataset/detect.ts';
import { isParquetName, parquetColumnNames, type ParquetColumns } from '../core/dataset/parse-parquet.ts';
import { parseShard } from '../core/dataset/parse-shard.ts';
import { baseName, type ShardSource } from '../core/dataset/shard-source.ts';
import { datasetStats } from '../core/dataset/stats.ts';
import type { ParsedShard, ShardFormat } from '../core/dataset/types.ts';
import { datasetsSharing } from './datasets.ts';
import { commitImport, type CommitFaults, type ShardToStore } from './commit.ts';
import type { LabDatabase } from './db.ts';
import type { ImportOptions, ImportOutcome, ImportProgress, ProbedFile } from './import-types.ts';
import { summarizeLanguages } from './summary.ts';

/** Formats whose files each hold one language (taken from the name unless the user sets it). */
const PER_FILE_LANG: ReadonlySet<ShardFormat> = new Set(['lareqa', 'miracl-corpus', 'miracl-topics']);

export interface ImportControl {
  signal?: AbortSignal;
  onProgress?: (p: ImportProgress) => void;
  faults?: CommitFaults;
}

/**
 * A quick look at each file (name + first bytes): format and language, or why it is not a shard.
 * `columns` (per file) are a Parquet file's roles as the user chose them, over the names.
 */
export async function probeSources(sources: ShardSource[], paths: (string | null)[] = [], columns: (ParquetColumns | null)[] = []): Promise<ProbedFile[]> {
  return Promise.all(sources.map(async (original, i): Promise<ProbedFile> => {
    const src = withPath(original, paths[i]);
    const base = { name: baseName(src.name), size: src.size };
    const chosen = columns[i] ?? undefined;
    let lang: string | null = null;
    try { lang = languageFromFileName(src.name, src.path) ?? null; } catch { /* shown as "choose" */ }
    try {
      const { format, parquet } = await detectShardSourceFormat(src, undefined, chosen);
      const summary = parquet ? `${parquet.rows.toLocaleString('en')} rows in ${parquet.rowGroups} row group(s); ${Object.entries(parquet.columns).map(([role, col]) => `${role} ← ${col}`).join(', ')}` : undefined;
      return {
        ...base, format, lang: format === 'pairs' ? null : lang, needsLang: PER_FILE_LANG.has(format),
        ...(summary ? { columns: summary } : {}),
        ...(parquet ? { parquet: { available: parquet.available, columns: parquet.columns, kind: parquet.kind } } : {}),
      };
    } catch (e) {
      // A Parquet file whose names do not make a table: list its columns, so they can be mapped by hand.
      const available = isParquetName(src.name) ? await parquetColumnNames(src) : undefined;
      return { ...base, format: null, lang, needsLang: false, error: diagnostic(e, base.name), ...(available ? { parquet: { available, columns: chosen ?? {}, kind: null } } : {}) };
    }
  }));
}

export async function importShards(db: LabDatabase, sources: ShardSource[], opts: ImportOptions = {}, ctl: ImportControl = {}): Promise<ImportOutcome> {
  const { signal, onProgress } = ctl;
  const bytesTotal = sources.reduce((s, f) => s + f.size, 0);
  if (sources.length === 0) return fail([{ severity: 'error', code: 'invalid-argument', message: 'no files to import' }]);

  const errors: DiagnosticJSON[] = [];
  const parsed: { src: ShardSource; shard: ParsedShard; path: string | undefined; url: string | undefined; columns: ParquetColumns | undefined }[] = [];
  let before = 0;
  for (const [i, original] of sources.entries()) {
    const src = withPath(original, opts.paths?.[i]);
    const file = baseName(src.name);
    onProgress?.({ phase: 'parsing', file, bytesDone: before, bytesTotal });
    try {
      const lang = opts.languages?.[i] ?? undefined;
      const columns = isParquetName(src.name) ? opts.columns?.[i] ?? undefined : undefined;
      const shard = await parseShard(src, {
        ...(lang ? { lang } : {}),
        ...(columns ? { columns } : {}),
        ...(signal ? { signal } : {}),
        onProgress: (read: number) => onProgress?.({ phase: 'parsing', file, bytesDone: before + read, bytesTotal }),
      });
      parsed.push({ src: original, shard, path: src.path, url: opts.urls?.[i] ?? undefined, columns });
    } catch (e) {
      if (isLabError(e) && e.code === 'cancelled') return fail([cancelled()]);
      errors.push(diagnostic(e, file));
    }
    before += src.size;
  }
  if (signal?.aborted) return fail([cancelled()]);
  errors.push(...duplicates(parsed.map((p) => p.shard)));
  if (errors.length > 0) return fail(errors);

  onProgress?.({ phase: 'building', bytesDone: bytesTotal, bytesTotal });
  try {
    const dataset = buildDataset(parsed.map((p) => p.shard), opts.name ? { name: opts.name } : {});
    const stats = datasetStats(dataset);
    onProgress?.({ phase: 'saving', bytesDone: bytesTotal, bytesTotal });
    const addedAt = Date.now();
    const shards: ShardToStore[] = await Promise.all(parsed.map(async ({ src, shard, path, url, columns }) => ({
      meta: { sha256: shard.sha256, name: path ?? src.name, format: shard.format, lang: 'lang' in shard && shard.lang ? shard.lang : null, size: src.size, addedAt, ...(url ? { url } : {}), ...(columns ? { columns } : {}) },
      bytes: await asBlob(src),
    })));
    const record = await commitImport(db, {
      name: opts.name ?? dataset.name,
      shards, dataset, stats,
      perLanguage: summarizeLanguages(dataset, stats),
      ...(signal ? { signal } : {}),
    }, ctl.faults);
    const warnings = [...parsed.flatMap((p) => p.shard.diagnostics), ...dataset.diagnostics].filter((d) => d.severity === 'warning');
    // Files whose bytes another dataset already holds: not an error (a file may belong to several datasets), but say which.
    const shared = await datasetsSharing(db, record.shardHashes, record.id);
    for (const s of record.shards) {
      const names = shared.get(s.sha256);
      if (names) warnings.push({ severity: 'warning', code: 'duplicate-shard', file: s.name, message: `the same bytes are already stored in dataset${names.length === 1 ? '' : 's'} ${names.map((n) => `"${n}"`).join(', ')}; they are stored once and shared` });
    }
    return { ok: true, record, warnings };
  } catch (e) {
    if (isLabError(e) && e.code === 'cancelled') return fail([cancelled()]);
    return fail([diagnostic(e)]);
  }
}

/** The same bytes twice in one import: name both files. */
function duplicates(shards: ParsedShard[]): DiagnosticJSON[] {
  const seen = new Map<string, string>();
  const out: DiagnosticJSON[] = [];
  for (const s of shards) {
    // The same bytes in two languages' folders are two shards (a parallel BEIR source shares its qrels file).
    const key = `${s.sha256}|${'lang' in s && s.lang ? s.lang : ''}`;
    const first = seen.get(key);
    if (first !== undefined) {
      out.push(new LabError('duplicate-shard', `same content as ${first} (SHA-256 ${s.sha256.slice(0, 12)}…): each shard can be imported once`, { file: s.name }, 'distinct files').toJSON());
    } else seen.set(key, s.name);
  }
  return out;
}

/**
 * The source as the parsers see it, with the folder path when there is one. The original object is kept
 * for storage: a File must reach IndexedDB as itself (a Blob) to be stored without copying it here.
 */
function withPath(src: ShardSource, path: string | null | undefined): ShardSource {
  if (!path || path === src.name || src.path) return src;
  // Random access survives (Parquet reads its footer and row groups through it, never the whole file).
  const blob = src as ShardSource & Partial<Pick<Blob, 'slice'>>;
  return {
    name: src.name, size: src.size, stream: () => src.stream(), path,
    ...(typeof blob.slice === 'function' ? { slice: (a: number, b: number) => blob.slice!(a, b) } : {}),
    ...(src.readRange ? { readRange: (a: number, b: number) => src.readRange!(a, b) } : {}),
  } as ShardSource;
}

/** A File is already a Blob (stored by reference, no copy here); other sources are read once more. */
async function asBlob(src: ShardSource): Promise<Blob> {
  if (typeof Blob !== 'undefined' && src instanceof Blob) return src;
  return new Response(src.stream()).blob();
}

function cancelled(): DiagnosticJSON {
  return new LabError('cancelled', 'import cancelled; nothing was stored').toJSON();
}

function fail(errors: DiagnosticJSON[]): ImportOutcome {
  return { ok: false, errors };
}

function diagnostic(e: unknown, file?: string): DiagnosticJSON {
  if (isLabError(e)) return e.toJSON();
  // Parsers promise LabError only; anything else is a bug, still reported with the file it happened in.
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return { severity: 'error', code: 'internal', message: file ? `${file}: unexpected failure (${message})` : `unexpected failure (${message})`, ...(file ? { file } : {}) };
}
