/**
 * Parquet shards, as Hugging Face datasets publish them (MIRACL corpus and
 * topics, mMARCO, MTEB's retrieval sets), read with hyparquet: the footer first
 * (schema, row groups), then one row group at a time through random access to
 * the file (a browser File's slice, a Node file handle), so a large file never
 * sits in memory whole. The columns are mapped to the lab's roles by name
 * (`parquetMapping`, shown before import): a corpus (id, text, title), queries
 * (id, text) or qrels (query id, document id, score); a language column, when
 * present, must hold the shard's one language. The result is the same parsed
 * shard as the JSONL/TSV layouts.
 */
import { parquetMetadataAsync, parquetReadObjects, parquetSchema, type AsyncBuffer, type CompressionCodec, type Compressors, type FileMetaData } from 'hyparquet';
import { LabError, isLabError } from '../errors.ts';
import { checkId, parseRelevance } from '../ids.ts';
import { openShard, readChunk } from '../io/byte-stream.ts';
import { dict } from './json-path.ts';
import type { ShardSource } from './shard-source.ts';
import type { Lang, MiraclCorpusShard, MiraclQrelsShard, MiraclTopicsShard, Passage, Qrels, Query } from './types.ts';

export type ParquetKind = 'miracl-corpus' | 'miracl-topics' | 'miracl-qrels';
export type ParquetRole = 'id' | 'text' | 'title' | 'lang' | 'queryId' | 'docId' | 'score';
/** Role → column name: what the user chose where the names do not say (kept with the shard and in RunConfigs). */
export type ParquetColumns = Partial<Record<ParquetRole, string>>;

export const PARQUET_ROLES: readonly ParquetRole[] = ['id', 'text', 'title', 'lang', 'queryId', 'docId', 'score'];
/** The roles each table has, required first; the page offers these to map. */
export const ROLES_OF_KIND: Record<ParquetKind, { required: readonly ParquetRole[]; optional: readonly ParquetRole[] }> = {
  'miracl-corpus': { required: ['id', 'text'], optional: ['title', 'lang'] },
  'miracl-topics': { required: ['id', 'text'], optional: ['lang'] },
  'miracl-qrels': { required: ['queryId', 'docId'], optional: ['score', 'lang'] },
};

export interface ParquetMapping {
  kind: ParquetKind;
  /** Role → column name. */
  columns: ParquetColumns;
  rows: number;
  rowGroups: number;
  /** Every column of the file, for the import list and error messages. */
  available: string[];
}

const CANDIDATES: Record<ParquetRole, readonly string[]> = {
  id: ['_id', 'docid', 'doc_id', 'id', 'corpus_id', 'pid', 'qid', 'query_id', 'query-id'],
  text: ['text', 'contents', 'passage', 'document', 'query', 'question'],
  title: ['title'],
  lang: ['lang', 'language'],
  queryId: ['query-id', 'query_id', 'qid'],
  docId: ['corpus-id', 'corpus_id', 'docid', 'doc_id', 'pid'],
  score: ['score', 'relevance', 'rel', 'label'],
};
const QUERY_IDS = ['_id', 'query_id', 'qid', 'query-id', 'id'];
const QUERY_TEXTS = ['query', 'text', 'question'];

const EXPECTED = 'a corpus (id, text, title), queries (id, text) or qrels (query-id, corpus-id, score) table';
/** hyparquet reads these itself. */
const BUILT_IN_CODECS: ReadonlySet<CompressionCodec> = new Set(['UNCOMPRESSED', 'SNAPPY']);
/** hyparquet-compressors adds these (pyarrow's `compression='zstd'|'gzip'|'brotli'|'lz4'`). LZO has no reader. */
const EXTRA_CODECS: ReadonlySet<CompressionCodec> = new Set(['GZIP', 'BROTLI', 'ZSTD', 'LZ4', 'LZ4_RAW']);

/** Above this, one row group is more than a page should hold at once. */
const MAX_ROW_GROUP_BYTES = 512 * 1024 * 1024;

interface RangeSource extends ShardSource {
  slice?(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
  readRange?(start: number, end: number): Promise<Uint8Array>;
}

/** Random access to a shard: a Blob's slice, a Node source's readRange, else (small in-memory sources) one read. */
export function asyncBufferOf(src: ShardSource): AsyncBuffer {
  const s = src as RangeSource;
  if (typeof s.readRange === 'function') return { byteLength: src.size, slice: async (a, b) => copy(await s.readRange!(a, b ?? src.size)) };
  if (typeof s.slice === 'function') return { byteLength: src.size, slice: (a, b) => s.slice!(a, b ?? src.size).arrayBuffer() };
  let all: Promise<Uint8Array> | undefined;
  return {
    byteLength: src.size,
    slice: async (a, b) => copy((await (all ??= readAll(src))).subarray(a, b ?? src.size)),
  };
}

const copy = (u: Uint8Array): ArrayBuffer => u.slice().buffer as ArrayBuffer;

async function readAll(src: ShardSource): Promise<Uint8Array> {
  return new Uint8Array(await new Response(src.stream()).arrayBuffer());
}

/** The shard's content key, over one streamed pass (never the whole file in memory), as every other format hashes. */
async function streamedSha256(src: ShardSource, signal: AbortSignal | undefined): Promise<string> {
  const opened = openShard(src, false, signal ? { signal } : {});
  while (await readChunk(opened, src.name, signal)) { /* hashing as it streams */ }
  return opened.sha256();
}

export function isParquetName(name: string): boolean {
  return /\.parquet$/i.test(name);
}

/** The footer and the top-level column names, checked: a damaged footer is this file's error, never a crash. */
async function footerOf(file: AsyncBuffer, name: string): Promise<{ meta: FileMetaData; available: string[] }> {
  if (file.byteLength === 0) throw new LabError('empty-file', 'file is empty', { file: name }, 'a Parquet file');
  const head = new Uint8Array(await file.slice(0, Math.min(4, file.byteLength)));
  const tail = new Uint8Array(await file.slice(Math.max(0, file.byteLength - 4), file.byteLength));
  const magic = (u: Uint8Array) => String.fromCharCode(...u) === 'PAR1';
  if (!magic(head)) throw new LabError('unknown-format', 'is named .parquet but does not start with the Parquet signature "PAR1"', { file: name }, 'a Parquet file');
  if (!magic(tail)) throw new LabError('parquet', 'the Parquet footer is missing: the file is cut short (an interrupted download?)', { file: name }, 'the whole file');
  const damaged = (why: string) => new LabError('parquet', `the Parquet footer cannot be read (${why})`, { file: name }, 'a valid Parquet file');
  let meta: FileMetaData;
  let available: unknown[];
  try {
    meta = await parquetMetadataAsync(file);
    // hyparquet trusts the footer's counts: a damaged one (children that are not there) fails inside it.
    available = parquetSchema(meta).children.map((c) => c.element.name);
  } catch (e) {
    // A TypeError here is hyparquet following a count or index the footer got wrong.
    throw damaged(e instanceof TypeError ? 'its schema or row groups do not add up' : (e as Error).message);
  }
  if (!available.every((n): n is string => typeof n === 'string')) throw damaged('a column without a name');
  if (!Array.isArray(meta.row_groups) || !meta.row_groups.every((g) => Array.isArray(g?.columns))) throw damaged('row groups without columns');
  return { meta, available: available as string[] };
}

/**
 * The decompressors the file's column chunks need. Most Hugging Face files are snappy, which hyparquet reads
 * itself; the others (zstd, gzip, brotli, lz4) load hyparquet-compressors only when a file uses them.
 */
async function compressorsFor(meta: FileMetaData, name: string): Promise<Compressors | undefined> {
  const codecs = new Set(meta.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data?.codec)).filter((c): c is CompressionCodec => c !== undefined));
  const unknown = [...codecs].filter((c) => !BUILT_IN_CODECS.has(c) && !EXTRA_CODECS.has(c));
  if (unknown.length > 0) {
    throw new LabError('parquet', `is compressed with ${unknown.join(', ')}, which no browser reader decodes`, { file: name },
      'one of the codecs uncompressed, snappy, gzip, brotli, zstd, lz4 (pyarrow: write_table(..., compression="zstd"))');
  }
  if ([...codecs].every((c) => BUILT_IN_CODECS.has(c))) return undefined;
  return (await import('hyparquet-compressors')).compressors;
}

function pick(available: readonly string[], role: ParquetRole, from: readonly string[] = CANDIDATES[role]): string | undefined {
  const lower = new Map(available.map((c) => [c.toLowerCase(), c] as const));
  for (const c of from) {
    const hit = lower.get(c);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** Which table this is and which column plays which role; `override` (role → column) wins over the names. */
export function mappingFor(available: readonly string[], name: string, path: string | undefined, override: ParquetColumns = {}): Omit<ParquetMapping, 'rows' | 'rowGroups'> {
  for (const [role, col] of Object.entries(override)) {
    if (col !== undefined && !available.includes(col)) {
      throw new LabError('missing-field', `has no column "${col}" for the ${role}`, { file: name, path: col }, `one of its columns: ${available.join(', ')}`);
    }
  }
  const get = (role: ParquetRole, from?: readonly string[]) => override[role] ?? pick(available, role, from);
  const where = `${path ?? ''}/${name}`;
  const lang = get('lang');
  const qrels = { queryId: get('queryId'), docId: get('docId'), score: get('score') };
  if (qrels.queryId && qrels.docId && (qrels.score || /qrels/i.test(where))) {
    return { kind: 'miracl-qrels', columns: { ...qrels, ...(lang ? { lang } : {}) }, available: [...available] };
  }
  const queries = /quer|topic/i.test(where) || (available.includes('query') && !available.includes('text'));
  const id = queries ? get('id', QUERY_IDS) : get('id');
  const text = queries ? get('text', QUERY_TEXTS) : get('text');
  const missing = !id ? 'id' : !text ? 'text' : undefined;
  if (missing) {
    throw new LabError('missing-field', `has no ${missing} column (its columns: ${available.join(', ') || 'none'})`, { file: name },
      `${EXPECTED}; a ${missing} column named ${(missing === 'id' ? (queries ? QUERY_IDS : CANDIDATES.id) : (queries ? QUERY_TEXTS : CANDIDATES.text)).join(', ')}`);
  }
  const title = queries ? undefined : get('title');
  return { kind: queries ? 'miracl-topics' : 'miracl-corpus', columns: { id, text, ...(title ? { title } : {}), ...(lang ? { lang } : {}) }, available: [...available] };
}

/** The file's table and column roles, from its footer only (the import list shows it before anything is parsed). */
export async function parquetMapping(src: ShardSource, override: ParquetColumns = {}): Promise<ParquetMapping> {
  const name = src.label ?? src.name;
  const { meta, available } = await footerOf(asyncBufferOf(src), name);
  return { ...mappingFor(available, name, src.path, override), rows: Number(meta.num_rows), rowGroups: meta.row_groups.length };
}

/** Every column of a readable Parquet file (for choosing a mapping when the names do not give one); undefined when the footer cannot be read. */
export async function parquetColumnNames(src: ShardSource): Promise<string[] | undefined> {
  try {
    return (await footerOf(asyncBufferOf(src), src.label ?? src.name)).available;
  } catch {
    return undefined;
  }
}

export interface ParquetParseOptions {
  lang?: Lang | undefined;
  columns?: ParquetColumns | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((read: number, total: number) => void) | undefined;
}

type ParquetShard = MiraclCorpusShard | MiraclTopicsShard | MiraclQrelsShard;

/**
 * Parses a Parquet shard row group by row group. `resolveLang` gives the shard's language (the file name,
 * its folder, the user's choice); a language column must agree with it, or supplies it when nothing else does.
 */
export async function parseParquetShard(src: ShardSource, resolveLang: (fromColumn: Lang | undefined) => Lang | undefined, opts: ParquetParseOptions = {}): Promise<ParquetShard> {
  const name = src.label ?? src.name;
  const file = asyncBufferOf(src);
  const { meta, available } = await footerOf(file, name);
  const m = mappingFor(available, name, src.path, opts.columns);
  if (Number(meta.num_rows) === 0) throw new LabError('empty-file', 'the Parquet table has no rows', { file: name }, 'at least one row');
  const cols = Object.values(m.columns) as string[];
  const compressors = await compressorsFor(meta, name);
  const passages: Passage[] = [];
  const queries: Query[] = [];
  const qrels: Qrels = dict();
  const seen = new Set<string>();
  let judgments = 0;
  const langs = new Set<string>();
  let row = 0;
  let read = 0;
  const total = meta.row_groups.reduce((n, g) => n + Number(g.total_compressed_size ?? g.total_byte_size), 0) || src.size;
  for (const group of meta.row_groups) {
    if (opts.signal?.aborted) throw new LabError('cancelled', 'import cancelled', { file: name });
    const rows = Number(group.num_rows);
    // The group's size and its column chunks' sizes, each as the footer declares them: a page may not decompress
    // to more than its chunk (patches/hyparquet+1.33.0.patch), so these bound what one row group can allocate.
    const declared = Math.max(Number(group.total_byte_size), group.columns.reduce((n, c) => n + Number(c.meta_data?.total_uncompressed_size ?? 0), 0));
    if (!(declared <= MAX_ROW_GROUP_BYTES)) {
      throw new LabError('file-too-large', `a row group holds ${(declared / 1e6).toFixed(0)} MB uncompressed, over the ${MAX_ROW_GROUP_BYTES / 1e6} MB read at once`, { file: name }, 'row groups of at most a few hundred MB (pyarrow: row_group_size)');
    }
    let objects: Record<string, unknown>[];
    try {
      objects = await parquetReadObjects({ file, metadata: meta, columns: cols, rowStart: row, rowEnd: row + rows, ...(compressors ? { compressors } : {}) });
    } catch (e) {
      if (isLabError(e)) throw e;
      throw new LabError('parquet', `row group at row ${row} cannot be read (${(e as Error).message})`, { file: name }, 'a valid Parquet file');
    }
    for (const [k, o] of objects.entries()) {
      const at = (col: string) => ({ file: name, path: `rows[${row + k}].${col}` });
      const str = (role: ParquetRole, required: boolean): string | undefined => {
        const col = m.columns[role];
        if (col === undefined) return undefined;
        const v = o[col];
        if (v === null || v === undefined) {
          if (required) throw new LabError('missing-field', `is empty (null) in column "${col}"`, at(col), `a ${role} in every row`);
          return undefined;
        }
        if (typeof v === 'string') return v;
        if ((role === 'id' || role === 'queryId' || role === 'docId' || role === 'score') && (typeof v === 'number' || typeof v === 'bigint')) return String(v);
        throw new LabError('wrong-type', `column "${col}" holds ${typeof v === 'object' ? 'a nested value' : `a ${typeof v}`}`, at(col), role === 'text' || role === 'title' ? 'a string' : 'a string or integer id');
      };
      const rowLang = str('lang', false);
      if (rowLang !== undefined) langs.add(rowLang.toLowerCase());
      if (m.kind === 'miracl-qrels') {
        const qid = checkId(str('queryId', true)!, 'query id', at(m.columns.queryId!));
        const docid = checkId(str('docId', true)!, 'document id', at(m.columns.docId!));
        const rel = m.columns.score ? parseRelevance(str('score', true)!, at(m.columns.score)) : 1;
        const byDoc = (qrels[qid] ??= dict<number>());
        byDoc[docid] = Math.max(byDoc[docid] ?? -Infinity, rel);
        judgments++;
        continue;
      }
      const id = checkId(str('id', true)!, 'id', at(m.columns.id!));
      const text = str('text', true)!;
      if (seen.has(id)) throw new LabError('duplicate-id', `id "${id}" appears twice`, at(m.columns.id!), 'unique ids');
      seen.add(id);
      if (m.kind === 'miracl-topics') queries.push({ id, lang: '', text: text.trim(), group: id });
      else {
        const title = str('title', false);
        passages.push(title !== undefined ? { id, lang: '', text, title } : { id, lang: '', text });
      }
    }
    row += rows;
    read += Number(group.total_compressed_size ?? group.total_byte_size);
    opts.onProgress?.(Math.min(src.size, Math.round((read / total) * src.size)), src.size);
  }
  if (langs.size > 1) {
    throw new LabError('inconsistent-dataset', `column "${m.columns.lang}" holds several languages (${[...langs].slice(0, 6).join(', ')})`, { file: name, path: m.columns.lang! }, 'one language per shard (split the table by language)');
  }
  const fromColumn = langs.size === 1 ? [...langs][0] : undefined;
  const lang = resolveLang(fromColumn);
  if (fromColumn !== undefined && lang !== undefined && fromColumn !== lang) {
    throw new LabError('inconsistent-dataset', `column "${m.columns.lang}" says "${fromColumn}" but the shard is "${lang}"`, { file: name, path: m.columns.lang! }, 'the same language');
  }
  const sha256 = await streamedSha256(src, opts.signal);
  const meta2 = { name, size: src.size, sha256, gzipped: false, diagnostics: [] };
  if (m.kind === 'miracl-qrels') {
    if (judgments === 0) throw new LabError('empty-file', 'no judgments', { file: name }, 'qrels rows');
    return { format: 'miracl-qrels', ...meta2, ...(lang ? { lang } : {}), qrels, judgments };
  }
  if (lang === undefined) {
    throw new LabError('unknown-language', 'cannot tell the language from the file name, its folder or a language column', { file: name }, 'a language code in the name or folder (de/train-00000.parquet), a lang column, or an explicit language');
  }
  if (m.kind === 'miracl-topics') return { format: 'miracl-topics', ...meta2, lang, queries: queries.map((q) => ({ ...q, lang })) };
  return { format: 'miracl-corpus', ...meta2, lang, passages: passages.map((p) => ({ ...p, lang })) };
}
