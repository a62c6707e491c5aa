/**
 * User ids (qids, docids, question ids) and relevance grades, checked where
 * they are parsed, and the one safe way to look them up.
 *
 * An id ends up in TREC run and qrels files, whose columns are separated by
 * whitespace: an id with a space makes a 7-column line another tool
 * misreads. A lone surrogate cannot be written as UTF-8 (two of them would
 * collapse into one U+FFFD id), and U+FFFD itself is what invalid UTF-8
 * decodes to. Ids are keys of plain objects in the results and the qrels, so
 * lookups go through `own()`: "constructor" or "__proto__" must be ordinary ids.
 */
import { LabError, type Location } from './errors.ts';

/** Longest id accepted (MIRACL docids are ~20 characters; anything near this is not an id). */
export const MAX_ID_LENGTH = 1000;

/** Relevance grades are integers in this range (trec_eval reads an int). */
export const MAX_RELEVANCE = 2 ** 31 - 1;
export const MIN_RELEVANCE = -(2 ** 31);

const WHITESPACE = /\s/u;
const LONE_SURROGATE = /\p{Cs}/u;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/** Why this string is not a usable id, or undefined when it is one. */
export function idProblem(id: string): string | undefined {
  if (id.length === 0) return 'is empty';
  if (id.length > MAX_ID_LENGTH) return `is ${id.length} characters long`;
  if (WHITESPACE.test(id)) return 'contains whitespace, which would split a TREC run or qrels line';
  if (LONE_SURROGATE.test(id)) return 'contains a lone UTF-16 surrogate, which has no UTF-8 form';
  if (id.includes('\uFFFD')) return 'contains U+FFFD (invalid UTF-8 in the file)';
  if (CONTROL.test(id)) return 'contains a control character';
  return undefined;
}

/** Throws LabError('wrong-type') naming the id's kind and where it is, when it is not a usable id. */
export function checkId(id: string, what: string, where: Location): string {
  const problem = idProblem(id);
  if (problem) {
    throw new LabError('wrong-type', `${what} ${JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id)} ${problem}`, where,
      `a ${what} of 1 to ${MAX_ID_LENGTH} characters without whitespace, control characters or invalid UTF-8`);
  }
  return id;
}

/** A relevance grade from its text: a finite integer in [MIN_RELEVANCE, MAX_RELEVANCE]. */
export function parseRelevance(text: string, where: Location): number {
  const n = /^[-+]?\d{1,12}$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < MIN_RELEVANCE || n > MAX_RELEVANCE) {
    throw new LabError('wrong-type', `relevance "${text.length > 40 ? `${text.slice(0, 40)}…` : text}" is not an integer from ${MIN_RELEVANCE} to ${MAX_RELEVANCE}`, where,
      'an integer relevance grade (0 = not relevant, 1 or more = relevant)');
  }
  return n;
}

/** A record keyed by user data: no prototype, so "__proto__" and "constructor" are ordinary keys. */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/**
 * The value stored under a user key, never an inherited one: a record that
 * went through structured clone (IndexedDB, a worker) has Object.prototype
 * again, where `r["constructor"]` would be the Object function.
 */
export function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}
