/**
 * MIRACL layout, line by line (a corpus shard can be hundreds of MB):
 * corpus JSONL `{"docid", "title", "text"}`, topics TSV `qid<TAB>query`,
 * qrels TREC `qid Q0 docid rel`. MIRACL ids are kept as they are.
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
    const docid = getId(o, 'docid', where);
    const title = getOptionalString(o, 'title', where);
    const text = getString(o, 'text', where);
    const prev = lineOf.get(docid);
    if (prev !== undefined) {
      throw new LabError('duplicate-id', `docid "${docid}" already appeared on line ${prev}`, { file, line: line.lineNo }, 'unique docids');
    }
    lineOf.set(docid, line.lineNo);
    passages.push(title !== undefined ? { id: docid, lang, text, title } : { id: docid, lang, text });
  }
  if (passages.length === 0) throw new LabError('empty-file', 'no corpus lines', { file }, 'one {"docid","title","text"} object per line');
  return passages;
}

export async function parseTopicsLines(lines: AsyncIterable<Line>, file: string, lang: Lang): Promise<Query[]> {
  const queries: Query[] = [];
  const lineOf = new Map<string, number>();
  for await (const line of lines) {
    if (isBlank(line.text)) continue;
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
  if (queries.length === 0) throw new LabError('empty-file', 'no topics', { file }, 'qid<TAB>query lines');
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
  for await (const line of lines) {
    if (isBlank(line.text)) continue;
    const cols = line.text.trim().split(/\s+/);
    if (cols.length !== 4) {
      throw new LabError('qrels-columns', `line has ${cols.length} column${cols.length === 1 ? '' : 's'}`, { file, line: line.lineNo }, '4 columns: qid Q0 docid rel');
    }
    const [qid, , docid, relText] = cols as [string, string, string, string];
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
  if (judgments === 0) throw new LabError('empty-file', 'no judgments', { file }, 'qid Q0 docid rel lines');
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
