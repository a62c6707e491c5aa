/**
 * Language-aware analyzer for the BM25 baseline: Unicode word segmentation
 * with Intl.Segmenter (dictionary-based for Thai, Chinese, Japanese, …, so
 * scripts without spaces still get words), NFKC normalization and
 * lowercasing; punctuation and spaces dropped; no stemming, no stop words.
 *
 * A full stop between letters always splits ("U.S." -> u, s; "d.h." -> d, h):
 * ICU's UAX #29 rules keep "u.s" as one word, but Chromium ships its own word
 * rules that break there, so without this the same text would be indexed
 * differently in the browser and under Node (XQuAD-R: 1 text in 300), and
 * the page's BM25 numbers would not match `lab bm25`'s.
 */
import type { Lang } from '../dataset/types.ts';

export type Analyzer = (text: string, lang: Lang) => string[];

/** A full stop (after NFKC, fullwidth ones are ASCII) with a letter or mark on both sides. */
const LETTER_DOT_LETTER = /(?<=[\p{L}\p{M}])\.(?=\p{L})/u;

export function createAnalyzer(): Analyzer {
  const segmenters = new Map<Lang, Intl.Segmenter>();
  return (text, lang) => {
    let seg = segmenters.get(lang);
    if (!seg) {
      seg = new Intl.Segmenter(lang || undefined, { granularity: 'word' });
      segmenters.set(lang, seg);
    }
    const out: string[] = [];
    for (const s of seg.segment(text.normalize('NFKC'))) {
      if (!s.isWordLike) continue;
      const w = s.segment.toLowerCase();
      if (!w.includes('.')) out.push(w);
      else for (const part of w.split(LETTER_DOT_LETTER)) if (part) out.push(part);
    }
    return out;
  };
}
