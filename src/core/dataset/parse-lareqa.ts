/**
 * LAReQA JSON (XQuAD-R, MLQA-R): SQuAD v1.1 plus per-paragraph `sentences`
 * and `sentence_breaks`. Candidates are every sentence of every paragraph;
 * the answer sentence of a question is the one whose [start, end) break
 * contains answers[0].answer_start.
 *
 * Why half-open: in the real zh and hi files 30 answers start exactly at a
 * break's end, which is also the next sentence's start (sentences abut with
 * no separator). The inclusive reading would credit the previous sentence;
 * [start, end) gives exactly one sentence for every question of XQuAD-R.
 */
import { LabError } from '../errors.ts';
import type { LareqaShard, Lang, Passage, Query } from './types.ts';
import {
  dict,
  elementObject,
  elementString,
  getArray,
  getId,
  getNonNegativeInt, getOptionalString,
  getString,
  isObject,
  describe,
  parseJsonText,
  type JsonObject,
} from './json-path.ts';

export interface ShardMeta {
  name: string;
  size: number;
  sha256: string;
  gzipped: boolean;
}

export function parseLareqaText(text: string, lang: Lang, meta: ShardMeta): LareqaShard {
  const file = meta.name;
  if (text.trim().length === 0) throw new LabError('empty-file', 'file is empty', { file }, 'a LAReQA JSON document');
  const root = parseJsonText(text, file);
  if (!isObject(root)) {
    throw new LabError('wrong-type', `the document is ${describe(root)}`, { file, path: '$' }, 'an object with a "data" array (SQuAD/LAReQA JSON)');
  }
  const data = getArray(root, 'data', { file, path: '' });
  const queries: Query[] = [];
  const passages: Passage[] = [];
  const answers = dict<string>();
  const seenAt = dict<string>();

  for (let a = 0; a < data.length; a++) {
    const articlePath = `data[${a}]`;
    const article = elementObject(data, a, { file, path: 'data' });
    const paragraphs = getArray(article, 'paragraphs', { file, path: articlePath });
    for (let p = 0; p < paragraphs.length; p++) {
      const parPath = `${articlePath}.paragraphs[${p}]`;
      const par = elementObject(paragraphs, p, { file, path: `${articlePath}.paragraphs` });
      const sentences = getArray(par, 'sentences', { file, path: parPath });
      const breaks = readBreaks(par, parPath, file);
      if (breaks.length !== sentences.length) {
        throw new LabError(
          'inconsistent-dataset',
          `${sentences.length} sentences but ${breaks.length} sentence_breaks`,
          { file, path: `${parPath}.sentence_breaks` },
          'one [start, end] break per sentence',
        );
      }
      const context = getOptionalString(par, 'context', { file, path: parPath });
      const passageBase = passages.length;
      for (let s = 0; s < sentences.length; s++) {
        const text = elementString(sentences, s, { file, path: `${parPath}.sentences` });
        checkBreak(breaks, s, text, context, `${parPath}.sentence_breaks[${s}]`, file);
        passages.push({ id: `${lang}/${a}/${p}/${s}`, lang, text, group: String(a) });
      }
      const qas = getArray(par, 'qas', { file, path: parPath });
      for (let q = 0; q < qas.length; q++) {
        const qPath = `${parPath}.qas[${q}]`;
        const qa = elementObject(qas, q, { file, path: `${parPath}.qas` });
        const qid = getId(qa, 'id', { file, path: qPath });
        const question = getString(qa, 'question', { file, path: qPath });
        const ans = getArray(qa, 'answers', { file, path: qPath });
        if (ans.length === 0) {
          throw new LabError('missing-field', 'question has no answers', { file, path: `${qPath}.answers` }, 'at least one answer with answer_start');
        }
        const answer0 = elementObject(ans, 0, { file, path: `${qPath}.answers` });
        const start = getNonNegativeInt(answer0, 'answer_start', { file, path: `${qPath}.answers[0]` });
        // Breaks lie inside the context (checkBreak), so an answer inside a break is inside the context.
        const s = sentenceContaining(breaks, start);
        if (s < 0) {
          throw new LabError(
            'answer-outside-sentences',
            `answer_start ${start} lies in no sentence break (breaks: ${formatBreaks(breaks)})`,
            { file, path: `${qPath}.answers[0].answer_start` },
            'an offset inside one [start, end) sentence break of its paragraph',
          );
        }
        if (seenAt[qid] !== undefined) {
          throw new LabError('duplicate-id', `question id "${qid}" also appears at ${seenAt[qid]}`, { file, path: `${qPath}.id` }, 'unique question ids');
        }
        seenAt[qid] = qPath;
        answers[qid] = passages[passageBase + s]!.id;
        queries.push({ id: `${lang}/${qid}`, lang, text: question, group: qid });
      }
    }
  }
  if (passages.length === 0 || queries.length === 0) {
    // A SQuAD file with no sentences or no questions would import as an empty
    // language and silently skew every macro average: refuse it.
    const what = passages.length === 0 ? 'no candidate sentences' : 'no questions';
    throw new LabError('missing-field', `the document has ${what}`, { file, path: 'data' }, 'at least one paragraph with sentences and qas');
  }
  return { format: 'lareqa', ...meta, lang, queries, passages, answers, diagnostics: [] };
}

function readBreaks(par: JsonObject, parPath: string, file: string): [number, number][] {
  const raw = getArray(par, 'sentence_breaks', { file, path: parPath });
  const out: [number, number][] = [];
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i];
    if (!Array.isArray(b) || b.length !== 2 || !b.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0) || (b[0] as number) > (b[1] as number)) {
      throw new LabError('wrong-type', `sentence break is ${JSON.stringify(b) ?? describe(b)}`, { file, path: `${parPath}.sentence_breaks[${i}]` }, 'a [start, end] pair of character offsets with start <= end');
    }
    out.push([b[0] as number, b[1] as number]);
  }
  return out;
}

/**
 * Sentence breaks decide which sentence is relevant, so a wrong one silently
 * marks the wrong candidate: they must be in order, not overlap, lie inside
 * the context, and cover their sentence (same length, or the same text up
 * to surrounding whitespace; XQuAD-R tr has two sentences whose characters
 * differ from the context's by an encoding slip, with the same length).
 */
function checkBreak(breaks: [number, number][], i: number, sentence: string, context: string | undefined, path: string, file: string): void {
  const [b, e] = breaks[i]!;
  const fail = (msg: string, expected: string): never => {
    throw new LabError('inconsistent-dataset', msg, { file, path }, expected);
  };
  if (i > 0 && b < breaks[i - 1]![1]) fail(`break [${b}, ${e}) starts before the previous one ends (${breaks[i - 1]![1]})`, 'sentence breaks in order and not overlapping');
  if (context === undefined) return;
  if (e > context.length) fail(`break [${b}, ${e}) ends after the ${context.length}-character context`, 'breaks inside the context');
  const slice = context.slice(b, e);
  if (slice.length !== sentence.length && slice.trim() !== sentence.trim()) {
    fail(`break [${b}, ${e}) covers ${slice.length} characters of the context, but sentence ${i} has ${sentence.length}`, 'the break of each sentence as the context has it');
  }
}

function sentenceContaining(breaks: [number, number][], pos: number): number {
  for (let i = 0; i < breaks.length; i++) {
    const [b, e] = breaks[i]!;
    if (b <= pos && pos < e) return i;
  }
  return -1;
}

function formatBreaks(breaks: [number, number][]): string {
  const shown = breaks.slice(0, 6).map(([b, e]) => `[${b},${e})`).join(' ');
  return breaks.length > 6 ? `${shown} …` : shown || 'none';
}
