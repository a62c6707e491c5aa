/**
 * Language-aware analyzer for the BM25 baseline: Unicode word segmentation
 * with Intl.Segmenter (dictionary-based for Thai, Chinese, Japanese, …, so
 * scripts without spaces still get words), NFKC normalization and
 * lowercasing; punctuation and spaces dropped; no stemming, no stop words.
 */
import type { Lang } from '../dataset/types.ts';

export type Analyzer = (text: string, lang: Lang) => string[];

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
      if (s.isWordLike) out.push(s.segment.toLowerCase());
    }
    return out;
  };
}
