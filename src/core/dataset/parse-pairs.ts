/**
 * Training pairs JSONL, one object per line:
 *   {"group": "q17", "lang": "de", "query": "…", "positive": "…", "negatives": ["…"]}
 * or, cross-lingual,
 *   {"group": "q17", "query_lang": "de", "passage_lang": "en", "query": "…", "positive": "…"}
 * `group` ties the translations of one example together (the batch sampler
 * keeps a group out of a batch twice); `negatives` is optional.
 */
import { LabError } from '../errors.ts';
import type { Line } from '../io/line-reader.ts';
import { checkLanguage } from './languages.ts';
import { getId, getString, join, describe } from './json-path.ts';
import { jsonlObject } from './parse-miracl.ts';
import type { TrainingPair } from './types.ts';

export async function parsePairsLines(lines: AsyncIterable<Line>, file: string): Promise<TrainingPair[]> {
  const pairs: TrainingPair[] = [];
  for await (const line of lines) {
    if (line.text.trim().length === 0) continue;
    const o = jsonlObject(line, file);
    const where = { file, line: line.lineNo, path: '' };
    const group = getId(o, 'group', where);
    let queryLang: string;
    let passageLang: string;
    if (o.query_lang !== undefined || o.passage_lang !== undefined || o.lang === undefined) {
      if (o.query_lang === undefined && o.passage_lang === undefined) {
        throw new LabError('missing-field', 'missing field "lang"', { file, line: line.lineNo, path: 'lang' }, 'a language code in "lang", or "query_lang" and "passage_lang"');
      }
      queryLang = lang(o.query_lang === undefined ? o.lang : o.query_lang, o.query_lang === undefined ? 'lang' : 'query_lang', file, line.lineNo, 'query_lang');
      passageLang = lang(o.passage_lang === undefined ? o.lang : o.passage_lang, o.passage_lang === undefined ? 'lang' : 'passage_lang', file, line.lineNo, 'passage_lang');
    } else {
      queryLang = passageLang = lang(o.lang, 'lang', file, line.lineNo, 'lang');
    }
    const query = getString(o, 'query', where);
    const positive = getString(o, 'positive', where);
    const negatives: string[] = [];
    if (o.negatives !== undefined && o.negatives !== null) {
      if (!Array.isArray(o.negatives)) {
        throw new LabError('wrong-type', `"negatives" is ${describe(o.negatives)}`, { file, line: line.lineNo, path: 'negatives' }, 'an array of strings');
      }
      o.negatives.forEach((n, i) => {
        if (typeof n !== 'string') {
          throw new LabError('wrong-type', `"negatives[${i}]" is ${describe(n)}`, { file, line: line.lineNo, path: join('negatives', i) }, 'a string');
        }
        negatives.push(n);
      });
    }
    pairs.push({ group, queryLang, passageLang, query, positive, negatives });
  }
  if (pairs.length === 0) throw new LabError('empty-file', 'no training pairs', { file }, 'one pair object per line');
  return pairs;
}

function lang(v: unknown, key: string, file: string, lineNo: number, wanted: string): string {
  if (v === undefined) {
    throw new LabError('missing-field', `missing field "${wanted}"`, { file, line: lineNo, path: wanted }, 'an ISO 639-1 language code');
  }
  if (typeof v !== 'string') {
    throw new LabError('wrong-type', `"${key}" is ${describe(v)}`, { file, line: lineNo, path: key }, 'an ISO 639-1 language code');
  }
  return checkLanguage(v, { file, line: lineNo, path: key }, `"${key}"`);
}
