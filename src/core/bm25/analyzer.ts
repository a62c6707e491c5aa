/**
 * The BM25 analyzer, independent of the runtime's ICU so the page
 * (Chromium's ICU) and `lab bm25` (Node's ICU) index every text identically:
 * Intl.Segmenter's word rules and dictionaries differ between the two (a
 * colon between letters, "Man:Se", is one word in Node and two in Chromium;
 * Khmer and other dictionary words differ too), which moved MLQA-R cells by
 * up to 0.01.
 *
 * The rules, after NFKC normalization and lowercasing:
 * - A token is a run of letters, marks and digits (\p{L}\p{M}\p{N}); every
 *   other character — spaces, punctuation (colon, apostrophe, hyphen, full
 *   stop, comma between digits), symbols, emoji — separates tokens. So
 *   "U.S." → u, s; "don't" → don, t; "1,000.5" → 1, 000, 5; "e-mail" → e, mail.
 * - Scripts written without spaces (Han, Hiragana, Katakana, Thai, Lao,
 *   Khmer, Myanmar) are indexed as overlapping character bigrams, as
 *   Lucene's CJK analyzer does ("東京都" → 東京, 京都); a lone character is
 *   its own token. Letters of no particular script (the Japanese long-vowel
 *   mark ー, combining marks) stay with the characters before them; digits
 *   always form their own token ("2008年" → 2008, 年).
 * No stemming, no stop words.
 */
import type { Lang } from '../dataset/types.ts';

export type Analyzer = (text: string, lang: Lang) => string[];

// A run starts at a letter or digit: a mark with no base (an emoji variation selector) is not a word.
const RUN = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*/gu;
const BIGRAM_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
const DIGIT = /\p{N}/u;
const NEUTRAL = /[\p{Script=Common}\p{Script=Inherited}]/u;

type CharClass = 'bigram' | 'word' | 'digit' | 'neutral';

function classOf(ch: string): CharClass {
  if (BIGRAM_SCRIPT.test(ch)) return 'bigram';
  if (DIGIT.test(ch)) return 'digit';
  if (NEUTRAL.test(ch)) return 'neutral';
  return 'word';
}

function emit(out: string[], chars: string[], cls: CharClass): void {
  if (chars.length === 0) return;
  if (cls !== 'bigram' || chars.length === 1) {
    out.push(chars.join(''));
    return;
  }
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
}

/** Splits one run of letters/marks/digits that contains a no-space script into word, digit and bigram segments. */
function splitMixed(run: string, out: string[]): void {
  let seg: string[] = [];
  let segClass: CharClass = 'neutral';
  for (const ch of run) {
    let c = classOf(ch);
    if (c === 'neutral') {
      if (segClass === 'digit') c = 'word';
      else if (seg.length > 0) { seg.push(ch); continue; }
      else c = 'word';
    }
    if (seg.length > 0 && c !== segClass) {
      emit(out, seg, segClass);
      seg = [];
    }
    segClass = c;
    seg.push(ch);
  }
  emit(out, seg, segClass);
}

/** Tokens of one text (the language is not needed: the rules are the same for every language, by design). */
export function analyze(text: string): string[] {
  const out: string[] = [];
  for (const m of text.normalize('NFKC').toLowerCase().matchAll(RUN)) {
    const run = m[0];
    if (!BIGRAM_SCRIPT.test(run)) {
      // Digits next to letters of a spaced script stay one token ("covid19", "3d"), as a whitespace tokenizer keeps them.
      out.push(run);
    } else {
      splitMixed(run, out);
    }
  }
  return out;
}

export function createAnalyzer(): Analyzer {
  return (text) => analyze(text);
}
