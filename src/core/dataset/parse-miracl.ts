/**
 * MIRACL and BEIR layouts, line by line (a corpus shard can be hundreds of MB):
 * corpus JSONL `{"docid", "title", "text"}` (BEIR and MTEB: `{"_id", "title",
 * "text"}`), topics TSV `qid<TAB>query` (BEIR: queries JSONL `{"_id", "text"}`),
 * qrels TREC `qid Q0 docid rel` (BEIR: TSV `query-id corpus-id score` under a
 * header). Ids are kept as they are.
 */
import { checkId, own, parseRelevance } from '../ids.ts';
import { LabError, type DiagnosticJSON } from '../errors.ts';
import type { Line } from '../io/line-reader.ts';
import type { Lang, Passage, Qrels, Query } from './types.ts';
import { describe, dict, getId, getOptionalString, getString, isObject, type JsonObject } from './json-path.ts';

/** Parses one JSONL line into an object or throws 'invalid-json' / 'not-an-object' at that line. */
export function jsonlObject(line: Line, file: string): JsonObject {
  let v: unknown;
  try {
    v = JSON.parse(line.text);
  } catch (e) {
    const why = e instanceof Error ? e.message.replace(/ in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)/, '') : '';
    throw new LabError('invalid-json', `line is not valid JSON${why ? `: ${why}` : ''}`, { file, line: line.lineNo }, 'one JSON object per line');
  }
  if (!isObject(v)) {
    throw new LabError('not-an-object', `line holds ${describe(v)}, not an object`, { file, line: line.lineNo }, 'one JSON object per line');
  }
  return v;
}

function isBlank(s: string): boolean {
  return s.trim().length === 0;
}

export async function parseCorpusLines(lines: AsyncIterable<Line>, file: string, lang: Lang): Promise<Passage[]> {
  const passages: Passage[] = [];
  const lineOf = new Map<string, number>();
  for await (const line of lines) {
    if (isBlank(line.text)) continue;
    const o = jsonlObject(line, file);
    const where = { file, line: line.lineNo, path: '' };
    // BEIR / MTEB name the id `_id`; MIRACL `docid`.
    const docid = getId(o, Object.prototype.hasOwnProperty.call(o, 'docid') || !Object.prototype.hasOwnProperty.call(o, '_id') ? 'docid' : '_id', where);
    const title = getOptionalString(o, 'title', where);
    const text = getString(o, 'text', where);
    const prev = lineOf.get(docid);
    if (prev !== undefined) {
      throw new LabError('duplicate-id', `docid "${docid}" already appeared on line ${prev}`, { file, line: line.lineNo }, 'unique docids');
    }
    lineOf.set(docid, line.lineNo);
    passages.push(title !== undefined ? { id: docid, lang, text, title } : { id: docid, lang, text });
  }
  if (passages.length === 0) throw new LabError('empty-file', 'no corpus lines', { file }, 'one {"docid","title","text"} (or BEIR {"_id","title","text"}) object per line');
  return passages;
}

export async function parseTopicsLines(lines: AsyncIterable<Line>, file: string, lang: Lang): Promise<Query[]> {
  const queries: Query[] = [];
  const lineOf = new Map<string, number>();
  // The first line decides: BEIR's queries.jsonl (one {"_id","text"} object per line) or MIRACL's topics TSV.
  let jsonl: boolean | undefined;
  for await (const line of lines) {
    if (isBlank(line.text)) continue;
    jsonl ??= line.text.trimStart().startsWith('{');
    if (jsonl) {
      const o = jsonlObject(line, file);
      const where = { file, line: line.lineNo, path: '' };
      const qid = getId(o, Object.prototype.hasOwnProperty.call(o, '_id') ? '_id' : 'query_id', where);
      const text = getString(o, 'text', where);
      if (text.trim() === '') throw new LabError('topics-columns', 'the query text is empty', { ...where, path: 'text' }, 'a non-empty query');
      const prev = lineOf.get(qid);
      if (prev !== undefined) throw new LabError('duplicate-id', `query id "${qid}" already appeared on line ${prev}`, { file, line: line.lineNo }, 'unique query ids');
      lineOf.set(qid, line.lineNo);
      queries.push({ id: qid, lang, text: text.trim(), group: qid });
      continue;
    }
    const tab = line.text.indexOf('\t');
    const qid = tab < 0 ? '' : line.text.slice(0, tab).trim();
    const text = tab < 0 ? '' : line.text.slice(tab + 1).trim();
    if (tab < 0 || qid === '' || text === '') {
      throw new LabError(
        'topics-columns',
        tab < 0 ? 'line has no tab' : qid === '' ? 'line has an empty qid' : 'line has an empty query',
        { file, line: line.lineNo },
        'qid<TAB>query',
      );
    }
    if (line.lineNo === 1 && qid.toLowerCase() === 'qid' && /^(query|text|question)$/i.test(text)) continue; // header
    const prev = lineOf.get(qid);
    if (prev !== undefined) {
      throw new LabError('duplicate-id', `qid "${qid}" already appeared on line ${prev}`, { file, line: line.lineNo }, 'unique qids');
    }
    checkId(qid, 'qid', { file, line: line.lineNo });
    lineOf.set(qid, line.lineNo);
    queries.push({ id: qid, lang, text, group: qid });
  }
  if (queries.length === 0) throw new LabError('empty-file', 'no topics', { file }, 'qid<TAB>query lines (or BEIR {"_id","text"} JSONL)');
  return queries;
}

export async function parseQrelsLines(
  lines: AsyncIterable<Line>,
  file: string,
): Promise<{ qrels: Qrels; judgments: number; diagnostics: DiagnosticJSON[] }> {
  const qrels: Qrels = dict();
  let judgments = 0;
  let repeated = 0;
  let firstRepeat = 0;
  // TREC (qid Q0 docid rel) or BEIR (query-id corpus-id score, under a header): the first line decides.
  let columns: 3 | 4 | undefined;
  for await (const line of lines) {
    if (isBlank(line.text)) continue;
    const cols = line.text.trim().split(/\s+/);
    if (columns === undefined && /^query[-_]?id$/i.test(cols[0] ?? '')) {
      if (cols.length !== 3 || !/^(corpus|doc)[-_]?id$/i.test(cols[1]!) || !/^(score|relevance|rel)$/i.test(cols[2]!)) {
        throw new LabError('qrels-columns', `header "${line.text.trim().slice(0, 60)}" is not BEIR's`, { file, line: line.lineNo }, 'query-id<TAB>corpus-id<TAB>score');
      }
      columns = 3;
      continue;
    }
    columns ??= 4;
    if (cols.length !== columns) {
      throw new LabError('qrels-columns', `line has ${cols.length} column${cols.length === 1 ? '' : 's'}`, { file, line: line.lineNo },
        columns === 4 ? '4 columns: qid Q0 docid rel' : '3 columns under the header: query-id corpus-id score');
    }
    const [qid, docid, relText] = (columns === 4 ? [cols[0], cols[2], cols[3]] : cols) as [string, string, string];
    const loc = { file, line: line.lineNo };
    checkId(qid, 'qid', loc);
    checkId(docid, 'docid', loc);
    const rel = parseRelevance(relText, loc);
    const byDoc = (own(qrels, qid) ?? (qrels[qid] = dict<number>()));
    if (own(byDoc, docid) !== undefined) {
      repeated++;
      if (firstRepeat === 0) firstRepeat = line.lineNo;
      byDoc[docid] = Math.max(byDoc[docid]!, rel);
    } else {
      byDoc[docid] = rel;
    }
    judgments++;
  }
  if (judgments === 0) throw new LabError('empty-file', 'no judgments', { file }, 'qid Q0 docid rel lines (or BEIR query-id corpus-id score)');
  const diagnostics: DiagnosticJSON[] = [];
  if (repeated > 0) {
    diagnostics.push({
      severity: 'warning',
      code: 'qrels-repeated-judgment',
      message: `${file}: ${repeated} (qid, docid) pair${repeated === 1 ? ' is' : 's are'} judged more than once (first on line ${firstRepeat}); the highest relevance is kept`,
      file,
      line: firstRepeat,
      count: repeated,
    });
  }
  return { qrels, judgments, diagnostics };
}
