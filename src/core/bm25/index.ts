/**
 * An in-memory inverted index with BM25 scoring as Lucene (and so
 * Pyserini's MIRACL baseline) computes it: idf = ln(1 + (N - df + 0.5) /
 * (df + 0.5)), term weight tf / (tf + k1 (1 - b + b dl / avgdl)), summed over
 * query terms (a repeated query term counts again, like repeated Lucene
 * clauses). Lucene's lossy doc-length encoding is not reproduced.
 *
 * Documents carry a segment (their language). Scores can use the statistics
 * of the whole collection ('pool') or of the document's own segment
 * ('per-segment': exactly what a separate index per language would give),
 * so one index serves LAReQA's per-language pools and its multilingual pool.
 */
import { LabError } from '../errors.ts';
import type { Lang } from '../dataset/types.ts';
import type { Analyzer } from './analyzer.ts';

export interface Bm25Params {
  k1: number;
  b: number;
}

/** Pyserini's MIRACL BM25 baseline. */
export const BM25_DEFAULTS: Bm25Params = { k1: 0.9, b: 0.4 };

export type Bm25Statistics = 'pool' | 'per-segment';

export interface Bm25Doc {
  text: string;
  lang: Lang;
  segment: number;
}

export class Bm25Index {
  readonly numDocs: number;
  readonly numSegments: number;
  private readonly termIds = new Map<string, number>();
  /** CSR postings: documents of term t are docs[offsets[t] .. offsets[t+1]), ascending. */
  private offsets = new Int32Array(0);
  private docs = new Int32Array(0);
  private tfs = new Int32Array(0);
  private readonly docLen: Int32Array;
  private readonly segment: Int32Array;
  private readonly segDocs: Float64Array;
  private readonly segLen: Float64Array;
  private totalLen = 0;
  /** df per (term, segment), filled at build. */
  private dfSeg = new Int32Array(0);

  private constructor(n: number, numSegments: number, readonly params: Bm25Params, readonly analyzer: Analyzer) {
    this.numDocs = n;
    this.numSegments = numSegments;
    this.docLen = new Int32Array(n);
    this.segment = new Int32Array(n);
    this.segDocs = new Float64Array(numSegments);
    this.segLen = new Float64Array(numSegments);
  }

  static build(docs: readonly Bm25Doc[], numSegments: number, analyzer: Analyzer, params: Bm25Params = BM25_DEFAULTS): Bm25Index {
    if (!(params.k1 >= 0) || !(params.b >= 0 && params.b <= 1)) {
      throw new LabError('invalid-argument', `BM25 parameters k1=${params.k1}, b=${params.b}`, {}, 'k1 >= 0 and 0 <= b <= 1');
    }
    const ix = new Bm25Index(docs.length, numSegments, params, analyzer);
    const postDocs: number[][] = [];
    const postTfs: number[][] = [];
    docs.forEach((d, i) => {
      if (!(d.segment >= 0 && d.segment < numSegments)) throw new LabError('invalid-argument', `document ${i} has segment ${d.segment}`);
      const tokens = analyzer(d.text, d.lang);
      const counts = new Map<string, number>();
      for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
      for (const [t, c] of counts) {
        let id = ix.termIds.get(t);
        if (id === undefined) {
          id = postDocs.length;
          ix.termIds.set(t, id);
          postDocs.push([]);
          postTfs.push([]);
        }
        postDocs[id]!.push(i);
        postTfs[id]!.push(c);
      }
      ix.docLen[i] = tokens.length;
      ix.segment[i] = d.segment;
      ix.segDocs[d.segment]!++;
      ix.segLen[d.segment]! += tokens.length;
      ix.totalLen += tokens.length;
    });
    const T = postDocs.length;
    ix.offsets = new Int32Array(T + 1);
    for (let t = 0; t < T; t++) ix.offsets[t + 1] = ix.offsets[t]! + postDocs[t]!.length;
    ix.docs = new Int32Array(ix.offsets[T]!);
    ix.tfs = new Int32Array(ix.offsets[T]!);
    ix.dfSeg = new Int32Array(T * numSegments);
    for (let t = 0; t < T; t++) {
      const o = ix.offsets[t]!;
      ix.docs.set(postDocs[t]!, o);
      ix.tfs.set(postTfs[t]!, o);
      for (const d of postDocs[t]!) ix.dfSeg[t * numSegments + ix.segment[d]!]!++;
    }
    return ix;
  }

  get numTerms(): number {
    return this.termIds.size;
  }

  /** Query text -> (term id, query term frequency) for the terms the index knows. */
  queryTerms(text: string, lang: Lang): { term: number; qtf: number }[] {
    const counts = new Map<number, number>();
    for (const tok of this.analyzer(text, lang)) {
      const id = this.termIds.get(tok);
      if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return [...counts].map(([term, qtf]) => ({ term, qtf }));
  }

  /** Adds the BM25 score of every document for the query into `out` (length numDocs; documents without a query term get 0). */
  scoreInto(terms: readonly { term: number; qtf: number }[], out: Float64Array | Float32Array, statistics: Bm25Statistics): void {
    const { k1, b } = this.params;
    const G = this.numSegments;
    for (const { term, qtf } of terms) {
      const o0 = this.offsets[term]!;
      const o1 = this.offsets[term + 1]!;
      if (statistics === 'pool') {
        const N = this.numDocs;
        const df = o1 - o0;
        const w = qtf * Math.log(1 + (N - df + 0.5) / (df + 0.5));
        const avg = this.totalLen / N;
        for (let o = o0; o < o1; o++) {
          const d = this.docs[o]!;
          const tf = this.tfs[o]!;
          out[d]! += (w * tf) / (tf + k1 * (1 - b + (b * this.docLen[d]!) / avg));
        }
      } else {
        for (let o = o0; o < o1; o++) {
          const d = this.docs[o]!;
          const g = this.segment[d]!;
          const N = this.segDocs[g]!;
          const df = this.dfSeg[term * G + g]!;
          const w = qtf * Math.log(1 + (N - df + 0.5) / (df + 0.5));
          const tf = this.tfs[o]!;
          out[d]! += (w * tf) / (tf + k1 * (1 - b + (b * this.docLen[d]!) / (this.segLen[g]! / N)));
        }
      }
    }
  }
}
