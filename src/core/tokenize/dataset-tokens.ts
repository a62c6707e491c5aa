/**
 * What the lab tokenizes of a dataset, and the numbers it reports about the
 * result: how many texts and tokens, how many texts were cut, and which token
 * ids occur (the input of vocabulary trimming, src/core/encoder/trim.ts).
 */
import type { Dataset } from '../dataset/types.ts';
import { passageText } from '../bm25/search.ts';
import type { RaggedTokens } from './tokenizer.ts';

/** The two text lists of a dataset, tokenized with different prefixes (`query: ` / `passage: `). */
export type TextPart = 'queries' | 'passages';
export const TEXT_PARTS: readonly TextPart[] = ['queries', 'passages'];

/**
 * The texts of one part, in a fixed order (the token cache stores ids by
 * position). Passages are title + text, as BM25 indexes them. A training-pairs
 * dataset has no query/passage lists: its queries are the pairs' queries and
 * its passages every distinct positive and negative, in first-seen order.
 */
export function datasetTexts(ds: Dataset, part: TextPart): string[] {
  if (ds.format === 'pairs' && ds.queries.length === 0 && ds.passages.length === 0) {
    if (part === 'queries') return ds.pairs.map((p) => p.query);
    const seen = new Set<string>();
    for (const p of ds.pairs) {
      seen.add(p.positive);
      for (const n of p.negatives) seen.add(n);
    }
    return [...seen];
  }
  return part === 'queries' ? ds.queries.map((q) => q.text) : ds.passages.map(passageText);
}

/** The cache's name for a part: says how the texts were composed, so a change of composition is a miss, not a wrong hit. */
export function cachePartName(part: TextPart): string {
  return part === 'queries' ? 'queries' : 'passages:title+text';
}

export interface TokenStats {
  texts: number;
  /** Tokens including the special tokens. */
  totalTokens: number;
  /** Texts cut to the max length; undefined when not known (ids cached by an older version). */
  truncated: number | undefined;
  /** Longest text in tokens. */
  longest: number;
  /** Distinct token ids, ascending. */
  distinctIds: Int32Array;
}

/** Counts over one ragged token set. */
export function tokenStats(tokens: RaggedTokens): TokenStats {
  const texts = tokens.offsets.length - 1;
  let longest = 0;
  for (let i = 0; i < texts; i++) longest = Math.max(longest, tokens.offsets[i + 1]! - tokens.offsets[i]!);
  return {
    texts,
    totalTokens: tokens.offsets[texts] ?? 0,
    truncated: tokens.truncated,
    longest,
    distinctIds: distinctIds([tokens.ids]),
  };
}

/** Several stats as one (e.g. queries + passages, or several datasets): sums, max, and the union of ids. */
export function mergeTokenStats(all: readonly TokenStats[]): TokenStats {
  let truncated: number | undefined = 0;
  for (const s of all) truncated = truncated === undefined || s.truncated === undefined ? undefined : truncated + s.truncated;
  return {
    texts: all.reduce((a, s) => a + s.texts, 0),
    totalTokens: all.reduce((a, s) => a + s.totalTokens, 0),
    truncated,
    longest: all.reduce((a, s) => Math.max(a, s.longest), 0),
    distinctIds: distinctIds(all.map((s) => s.distinctIds)),
  };
}

/** Union of non-negative ids, ascending (a bitmap: vocabularies are at most a few 100k). */
export function distinctIds(lists: readonly ArrayLike<number>[]): Int32Array {
  let max = -1;
  for (const l of lists) for (let i = 0; i < l.length; i++) if (l[i]! > max) max = l[i]!;
  const seen = new Uint8Array(max + 1);
  let n = 0;
  for (const l of lists) {
    for (let i = 0; i < l.length; i++) {
      const id = l[i]!;
      if (id < 0) continue;
      if (!seen[id]) { seen[id] = 1; n++; }
    }
  }
  const out = new Int32Array(n);
  let k = 0;
  for (let id = 0; id <= max; id++) if (seen[id]) out[k++] = id;
  return out;
}

/**
 * The special token ids a trimmed vocabulary must keep: what the tokenizer
 * puts around texts, pad and unknown, and every added token that
 * tokenizer.json marks special ([MASK], <mask>, …) even if the data never
 * produces it, so a fine-tuned model exports with its full set of specials.
 */
export function specialTokenIds(tokenizerJson: Uint8Array, tok: { prefixIds: readonly number[]; suffixIds: readonly number[]; padId: number; unkId: number }): number[] {
  const ids = new Set<number>([...tok.prefixIds, ...tok.suffixIds, tok.padId, tok.unkId]);
  try {
    const json = JSON.parse(new TextDecoder().decode(tokenizerJson)) as { added_tokens?: { id?: unknown; special?: unknown }[] };
    for (const t of json.added_tokens ?? []) if (t.special === true && typeof t.id === 'number') ids.add(t.id);
  } catch {
    // LabTokenizer already parsed this file; a failure here cannot happen for a loaded tokenizer.
  }
  return [...ids].sort((a, b) => a - b);
}
