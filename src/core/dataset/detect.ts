/**
 * Which format a file is in and which language it holds, from its name and
 * its first bytes. Names decide when they are explicit (".json", "qrels",
 * "topics"); content decides the rest, so a renamed file still loads and a
 * stray file is refused with a message saying what was expected.
 */
import { LabError } from '../errors.ts';
import { readHead, type ByteSource } from '../io/byte-stream.ts';
import { checkLanguage, isLanguageCode } from './languages.ts';
import { baseName, type ShardSource } from './shard-source.ts';
import { isParquetName, parquetMapping, type ParquetColumns, type ParquetMapping } from './parse-parquet.ts';
import type { Lang, ShardFormat } from './types.ts';

export const EXPECTED_FORMATS =
  'LAReQA JSON (xquad-r-de.json: data[].paragraphs[] with sentences and sentence_breaks), ' +
  'MIRACL corpus JSONL or .jsonl.gz (docid, title, text per line), MIRACL topics TSV (qid<TAB>query), ' +
  'MIRACL qrels TREC (qid Q0 docid rel), BEIR corpus.jsonl / queries.jsonl (_id, title, text) and qrels/<split>.tsv ' +
  '(query-id corpus-id score), or training pairs JSONL (group, lang or query_lang/passage_lang, query, positive, negatives)';

const EXTENSIONS = /\.(json|jsonl|ndjson|tsv|txt|trec|qrels|tsv|gz|parquet)$/i;

/** File name without directories and without (possibly stacked) known extensions. */
/** Hugging Face's shard numbering (`test-00000-of-00001`): never a language, though "of" looks like a code. */
const HF_SHARD_NUMBER = /[-_.]\d+[-_]of[-_]\d+$/i;

function stem(name: string): string {
  let s = baseName(name);
  while (EXTENSIONS.test(s)) s = s.replace(EXTENSIONS, '');
  return s.replace(HF_SHARD_NUMBER, '');
}

/**
 * Language named in a file name: `de.json`, `xquad-r-de.json`, `mlqa-r.de.json`,
 * `miracl-corpus-v1.0-de-0.jsonl.gz`, `topics.miracl-v1.0-de-dev.tsv`… The
 * last two-letter token that is an ISO 639-1 code wins. Returns undefined when
 * no two-letter token is present; throws 'unknown-language' when the only
 * candidates are two-letter tokens that are not language codes (`xx.json`).
 * With `path`, a name without any language token falls back to the
 * immediate folder's name.
 */
export function languageFromFileName(name: string, path?: string): Lang | undefined {
  const own = languageFromStem(stem(name), name);
  if (own !== undefined || path === undefined) return own;
  // A name without a language (MIRACL's miracl-corpus-v1.0-de/docs-0.jsonl.gz, BEIR's mmarco-de/corpus.jsonl): try the
  // folder it sits in, and only that one, so a far ancestor cannot pass for a language; BEIR's qrels/<split>.tsv
  // sits one level deeper, so a folder named qrels defers to its parent.
  const parts = path.split(/[\\/]+/).filter((x) => x.length > 0);
  let at = parts.length - 2;
  if (at >= 1 && /^qrels$/i.test(parts[at]!)) at--;
  const parent = at >= 0 ? parts[at]! : undefined;
  if (parent === undefined) return undefined;
  const tokens = parent.split(/[^A-Za-z0-9]+/).filter((t) => /^[A-Za-z]{2}$/.test(t));
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i]!.toLowerCase();
    if (isLanguageCode(t)) return t;
  }
  return undefined;
}

function languageFromStem(stemmed: string, name: string): Lang | undefined {
  const tokens = stemmed.split(/[^A-Za-z0-9]+/).filter((t) => /^[A-Za-z]{2}$/.test(t));
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i]!.toLowerCase();
    if (isLanguageCode(t)) return t;
  }
  if (tokens.length > 0) {
    checkLanguage(tokens[tokens.length - 1]!, { file: baseName(name) }, 'language code in the file name');
  }
  return undefined;
}

/** The language of a shard: the explicit override (validated) or the one in its name, else an error. */
export function resolveLanguage(name: string, override: string | undefined, path?: string): Lang {
  if (override !== undefined && override !== '') return checkLanguage(override, { file: baseName(name) }, 'language');
  const lang = languageFromFileName(name, path);
  if (lang === undefined) {
    throw new LabError(
      'unknown-language',
      'cannot tell the language from the file name',
      { file: baseName(name) },
      'a language code in the name (de.json, xquad-r-de.json, miracl-corpus-v1.0-de-0.jsonl.gz) or an explicit language',
    );
  }
  return lang;
}

function unknown(name: string, why: string): LabError {
  return new LabError('unknown-format', `unknown file format: ${why}`, { file: name }, EXPECTED_FORMATS);
}

function isBinary(head: Uint8Array): boolean {
  const n = Math.min(head.length, 4096);
  for (let i = 0; i < n; i++) if (head[i] === 0) return true;
  return false;
}

function firstLines(text: string, complete: boolean): string[] {
  const lines = text.split('\n');
  // The last piece of an incomplete head is a partial line, unless it is the only one.
  if (!complete && lines.length > 1) lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)).filter((l) => l.trim().length > 0);
}

function jsonlKind(name: string, line: string, lineNo: number): ShardFormat {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new LabError('invalid-json', 'line is not valid JSON', { file: name, line: lineNo }, 'one JSON object per line');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new LabError('not-an-object', `line holds ${Array.isArray(v) ? 'an array' : v === null ? 'null' : `a ${typeof v}`}, not an object`, { file: name, line: lineNo }, 'one JSON object per line');
  }
  const o = v as Record<string, unknown>;
  if ('docid' in o) return 'miracl-corpus';
  if ('_id' in o) {
    // BEIR: corpus lines have a title (possibly empty), query lines do not.
    if (/quer|topic/i.test(name)) return 'miracl-topics';
    if (/corpus/i.test(name) || 'title' in o) return 'miracl-corpus';
    return 'miracl-topics';
  }
  if ('positive' in o || ('query' in o && ('group' in o || 'query_lang' in o || 'lang' in o))) return 'pairs';
  if (/corpus/i.test(name)) return 'miracl-corpus';
  if (/pair|train/i.test(name)) return 'pairs';
  throw unknown(name, `line ${lineNo} has keys ${Object.keys(o).slice(0, 8).join(', ') || '(none)'}, which match no JSONL format`);
}

/**
 * Format from the file name and the first bytes of its (decompressed)
 * content. `complete` says whether `head` is the whole content.
 */
export function detectShardFormat(fileName: string, head: Uint8Array, complete = true): ShardFormat {
  const name = baseName(fileName);
  const text = new TextDecoder('utf-8').decode(head).replace(/^\uFEFF/, '');
  if (text.trim().length === 0) {
    if (complete) throw new LabError('empty-file', 'file is empty', { file: name }, 'at least one record');
    throw unknown(name, 'the first bytes are only whitespace');
  }
  if (isBinary(head)) throw unknown(name, 'binary content');
  const lower = name.toLowerCase().replace(/\.gz$/, '');
  const trimmed = text.trimStart();
  const lines = firstLines(text, complete);

  if (/\.json$/.test(lower)) {
    // JSON Lines saved as .json (one object per line, no "data" key): treat as JSONL rather than fail at line 2.
    if (lines.length > 1 && isOneLineObject(lines[0]!) && !/"data"\s*:/.test(lines[0]!.slice(0, 200))) {
      return jsonlKind(name, lines[0]!, lineNoOfFirstContent(text));
    }
    return 'lareqa';
  }
  if (/\.(jsonl|ndjson)$/.test(lower)) return jsonlKind(name, lines[0] ?? text, lineNoOfFirstContent(text));
  if (/qrels/.test(lower)) return 'miracl-qrels';
  if (/topics|queries/.test(lower)) return 'miracl-topics';

  if (trimmed.startsWith('{')) {
    // One complete object on the first line: JSONL; otherwise a (pretty-printed) JSON document.
    const first = lines[0] ?? '';
    if (isOneLineObject(first) && !/"data"\s*:/.test(first.slice(0, 200))) return jsonlKind(name, first, lineNoOfFirstContent(text));
    return 'lareqa';
  }
  const first = lines[0] ?? '';
  const cols = first.trim().split(/\s+/);
  // BEIR qrels: a "query-id corpus-id score" header (qrels/test.tsv names no format).
  if (/^query[-_]?id$/i.test(cols[0] ?? '') && /^(corpus|doc)[-_]?id$/i.test(cols[1] ?? '')) return 'miracl-qrels';
  // TREC qrels: "qid Q0 docid rel", or the older "qid 0 docid rel" (iteration column).
  if (cols.length === 4 && (cols[1] === 'Q0' || cols[1] === '0') && /^-?\d+$/.test(cols[3]!)) return 'miracl-qrels';
  if (/\.(tsv|txt|trec)$/.test(lower) || first.includes('\t')) {
    if (first.split('\t').length === 2) return 'miracl-topics';
  }
  throw unknown(name, `the first line "${first.slice(0, 60)}" matches none of the formats`);
}

function isOneLineObject(line: string): boolean {
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

function lineNoOfFirstContent(text: string): number {
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if (c !== 13 && c !== 32 && c !== 9) return line;
  }
  return line;
}

/** Reads the first bytes of a source and detects its format; says whether it is gzipped; a Parquet file's column roles. */
export async function detectShardSourceFormat(src: ByteSource, signal?: AbortSignal, columns?: ParquetColumns): Promise<{ format: ShardFormat; gzipped: boolean; parquet?: ParquetMapping }> {
  const name = baseName(src.name);
  if (src.size === 0) throw new LabError('empty-file', 'file is empty', { file: name }, 'at least one record');
  if (isParquetName(name)) {
    const parquet = await parquetMapping(src as ShardSource, columns);
    return { format: parquet.kind, gzipped: false, parquet };
  }
  const { head, gzipped, complete } = await readHead(src, { limit: 1024 * 1024, untilNewline: true, signal });
  if (/\.gz$/i.test(name) && !gzipped) {
    throw new LabError('unknown-format', 'is named .gz but is not valid gzip: its first bytes are not the gzip signature 1f 8b', { file: name },
      'a gzip file (or the same file without .gz in its name)');
  }
  return { format: detectShardFormat(name, head, complete), gzipped };
}
