/**
 * TREC run and qrels files, read and written with trec_eval's conventions:
 *   run:   `qid Q0 docid rank score tag` (rank is ignored; order comes from the score)
 *   qrels: `qid iter docid rel`          (iter is ignored; relevant when rel >= 1)
 * Readers are line-at-a-time so the CLI can stream files of millions of lines
 * and every problem names the file and the 1-based line.
 */
import { checkId, dict, own, parseRelevance } from '../ids.ts';
import { LabError } from '../errors.ts';
import type { Qrels } from '../dataset/types.ts';

const WS = /\s+/;

/** One whitespace-separated TREC line with exactly `n` columns; undefined for a blank line. */
function splitColumns(
  text: string,
  n: number,
  code: 'run-format' | 'qrels-columns',
  kind: string,
  loc: { file: string; line: number },
  layout: string,
): string[] | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const cols = t.split(WS);
  if (cols.length !== n) throw new LabError(code, `${kind} line has ${cols.length} columns`, loc, `${n} columns: ${layout}`);
  return cols;
}

export interface RunEntries {
  docids: string[];
  scores: number[];
}
/** qid -> retrieved documents in file order. */
export type Run = Map<string, RunEntries>;

export class RunParser {
  readonly run: Run = new Map();
  private readonly seen = new Map<string, Set<string>>();
  private lineNo = 0;
  private lines = 0;
  constructor(readonly file: string) {}

  /** Feeds the next line of the file (without its newline). */
  line(text: string): void {
    const loc = { file: this.file, line: ++this.lineNo };
    const cols = splitColumns(text, 6, 'run-format', 'run', loc, 'qid Q0 docid rank score tag');
    if (!cols) return;
    const [qid, , docid, rank, score] = cols as [string, string, string, string, string, string];
    checkId(qid, 'qid', loc);
    checkId(docid, 'docid', loc);
    if (!/^-?\d+$/.test(rank)) throw new LabError('run-format', `rank "${rank}" is not an integer`, loc, 'an integer rank in column 4');
    const s = Number(score);
    if (score === '' || !Number.isFinite(s)) throw new LabError('run-format', `score "${score}" is not a finite number`, loc, 'a number in column 5');
    let seen = this.seen.get(qid);
    let entries = this.run.get(qid);
    if (!seen || !entries) {
      seen = new Set();
      entries = { docids: [], scores: [] };
      this.seen.set(qid, seen);
      this.run.set(qid, entries);
    }
    if (seen.has(docid)) {
      throw new LabError('duplicate-id', `document "${docid}" appears twice for query "${qid}"`, loc, 'each docid at most once per query');
    }
    seen.add(docid);
    entries.docids.push(docid);
    entries.scores.push(s);
    this.lines++;
  }

  result(): Run {
    if (this.lines === 0) throw new LabError('empty-file', 'the run file has no entries', { file: this.file }, 'lines "qid Q0 docid rank score tag"');
    return this.run;
  }
}

export class QrelsParser {
  readonly qrels: Qrels = dict<Record<string, number>>();
  private lineNo = 0;
  private lines = 0;
  constructor(readonly file: string) {}

  line(text: string): void {
    const loc = { file: this.file, line: ++this.lineNo };
    const cols = splitColumns(text, 4, 'qrels-columns', 'qrels', loc, 'qid iter docid rel');
    if (!cols) return;
    const [qid, , docid, relText] = cols as [string, string, string, string];
    checkId(qid, 'qid', loc);
    checkId(docid, 'docid', loc);
    const rel = parseRelevance(relText, loc);
    const judged = own(this.qrels, qid) ?? (this.qrels[qid] = dict<number>());
    if (own(judged, docid) !== undefined) throw new LabError('duplicate-id', `document "${docid}" is judged twice for query "${qid}"`, loc, 'one judgment per (qid, docid)');
    judged[docid] = rel;
    this.lines++;
  }

  result(): Qrels {
    if (this.lines === 0) throw new LabError('empty-file', 'the qrels file has no judgments', { file: this.file }, 'lines "qid iter docid rel"');
    return this.qrels;
  }
}

function feed(text: string, p: { line(t: string): void }): void {
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    p.line(text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end));
    if (nl < 0) return;
    start = nl + 1;
  }
}

export function parseRun(text: string, file = 'run'): Run {
  const p = new RunParser(file);
  feed(text, p);
  return p.result();
}

export function parseQrels(text: string, file = 'qrels'): Qrels {
  const p = new QrelsParser(file);
  feed(text, p);
  return p.result();
}

/** Run-name column: must be one whitespace-free token. */
export function runTag(model: string, setting: string): string {
  return `polyglot-lab.${model}.${setting}`.replace(/\s+/g, '_');
}

/** Lines of one query's ranked list (best first), ranks 1..n. Scores print as shortest round-trip decimals. */
export function formatRunLines(qid: string, docids: readonly string[], scores: ArrayLike<number>, tag: string): string {
  checkToken(qid, 'qid');
  let out = '';
  for (let i = 0; i < docids.length; i++) {
    out += `${qid} Q0 ${docids[i]} ${i + 1} ${scores[i]} ${tag}\n`;
  }
  return out;
}

export function formatQrelsLines(entries: Iterable<{ qid: string; docid: string; rel: number }>): string {
  let out = '';
  for (const e of entries) {
    checkToken(e.qid, 'qid');
    checkToken(e.docid, 'docid');
    out += `${e.qid} 0 ${e.docid} ${e.rel}\n`;
  }
  return out;
}

function checkToken(s: string, what: string): void {
  if (s === '' || WS.test(s)) {
    throw new LabError('invalid-argument', `${what} ${JSON.stringify(s)} cannot be written to a TREC file`, {}, 'a non-empty id without whitespace');
  }
}
