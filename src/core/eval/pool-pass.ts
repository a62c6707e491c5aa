/**
 * One streaming pass of a scorer over a candidate pool: for every query, the
 * rank of each of its judged documents — in the whole pool and within the
 * document's own segment (language) — plus, on request, exact top-k lists.
 *
 * The pass never keeps a ranking. For each query row it sorts the query's
 * judged documents by strength and, per candidate, counts how many of them
 * the candidate outranks (a prefix of that order, by `ranksBefore`); a
 * histogram per segment turns into "candidates ranked before document j",
 * i.e. its rank, in O(N * (1 + m)) per query where m is usually tiny. Since a
 * segment is a language, one pass over the pooled scores yields the
 * multilingual ranks (whole pool) and the mono / cross ranks (own segment)
 * at once.
 */
import { LabError } from '../errors.ts';
import { yieldToEventLoop } from '../yield.ts';
import { docIdTieKeys, ranksBefore, compareRanked } from './tie-rule.ts';
import { rowsPerBlock, type RowScorer } from './scorer.ts';

export interface PoolSpec {
  /** Candidate ids, unique. */
  ids: readonly string[];
  /** Segment (e.g. language index) of each candidate. */
  segments: Int32Array;
  numSegments: number;
}

/** Judged documents of one query that are in the pool (rel > 0 only). */
export interface PoolJudgments {
  candidates: Int32Array;
  rels: Float64Array;
}

/** A top-k list of one query, restricted to one segment (or -1: the whole pool). */
export interface TopList {
  segment: number;
  /** Candidate indices, best first. */
  indices: Int32Array;
  scores: Float64Array;
}

export interface PoolQueryResult {
  query: number;
  judged: PoolJudgments;
  /** 1-based rank of each judged document among all candidates. */
  poolRanks: Int32Array;
  /** 1-based rank of each judged document among the candidates of its own segment. */
  segmentRanks: Int32Array;
  top: TopList[];
}

export interface PoolPassOptions {
  scorer: RowScorer;
  pool: PoolSpec;
  judgments(query: number): PoolJudgments;
  /** Top-k lists to collect: `depth` (Infinity = full ranking) for each segment `segments(query)` names (-1 = pool). */
  top?: { depth: number; segments(query: number): readonly number[] };
  /** Called once per query, in order. */
  onQuery(result: PoolQueryResult): void;
  /** Scores held at once (row block budget). */
  blockScores?: number;
  onProgress?(done: number, total: number): void;
  signal?: AbortSignal;
}

export interface PreparedPool extends PoolSpec {
  keys: Int32Array;
  members: Int32Array[];
}

export function preparePool(pool: PoolSpec): PreparedPool {
  const n = pool.ids.length;
  if (pool.segments.length !== n) {
    throw new LabError('invalid-argument', `pool has ${n} ids but ${pool.segments.length} segment labels`);
  }
  const keys = docIdTieKeys(pool.ids);
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (seen[keys[i]!]) throw new LabError('duplicate-id', `candidate id "${pool.ids[i]}" appears twice in the pool`, {}, 'unique candidate ids');
    seen[keys[i]!] = 1;
  }
  const sizes = new Int32Array(pool.numSegments);
  for (let i = 0; i < n; i++) {
    const s = pool.segments[i]!;
    if (!(s >= 0 && s < pool.numSegments)) throw new LabError('invalid-argument', `candidate ${pool.ids[i]} has segment ${s}, outside 0..${pool.numSegments - 1}`);
    sizes[s]!++;
  }
  const members = Array.from(sizes, (s) => new Int32Array(s));
  const fill = new Int32Array(pool.numSegments);
  for (let i = 0; i < n; i++) {
    const s = pool.segments[i]!;
    members[s]![fill[s]!++] = i;
  }
  return { ...pool, keys, members };
}

export async function runPoolPass(opts: PoolPassOptions): Promise<void> {
  const { scorer } = opts;
  const pool = preparePool(opts.pool);
  const N = pool.ids.length;
  if (scorer.numCandidates !== N) {
    throw new LabError('invalid-argument', `scorer has ${scorer.numCandidates} candidates, pool ${N}`);
  }
  const G = pool.numSegments;
  const { keys, segments } = pool;
  const Q = scorer.numQueries;
  const block = rowsPerBlock(N, opts.blockScores);

  for (let q0 = 0; q0 < Q; q0 += block) {
    if (opts.signal) await yieldToEventLoop(); // so a worker can receive the abort mid-run
    if (opts.signal?.aborted) throw new LabError('cancelled', 'evaluation cancelled');
    const q1 = Math.min(Q, q0 + block);
    const scores = await opts.scorer.scoreRows(q0, q1);
    for (let q = q0; q < q1; q++) {
      const row = scores.subarray((q - q0) * N, (q - q0 + 1) * N);
      const judged = opts.judgments(q);
      const { poolRanks, segmentRanks } = judgedRanks(row, keys, segments, G, judged, q);
      const top: TopList[] = [];
      if (opts.top) {
        for (const seg of opts.top.segments(q)) {
          const indices = selectTop(row, keys, seg < 0 ? null : pool.members[seg]!, opts.top.depth);
          top.push({ segment: seg, indices, scores: Float64Array.from(indices, (i) => row[i]!) });
        }
      }
      opts.onQuery({ query: q, judged, poolRanks, segmentRanks, top });
    }
    opts.onProgress?.(q1, Q);
  }
}

/** Ranks of the judged documents in one score row (see the module comment). */
export function judgedRanks(
  row: ArrayLike<number>,
  keys: Int32Array,
  segments: Int32Array,
  numSegments: number,
  judged: PoolJudgments,
  queryForErrors = 0,
): { poolRanks: Int32Array; segmentRanks: Int32Array } {
  const R = judged.candidates.length;
  const poolRanks = new Int32Array(R);
  const segmentRanks = new Int32Array(R);
  if (R === 0) return { poolRanks, segmentRanks };
  // Judged documents, weakest first.
  const order = Array.from({ length: R }, (_, j) => j).sort((a, b) => {
    const ca = judged.candidates[a]!;
    const cb = judged.candidates[b]!;
    return -compareRanked(row[ca]!, keys[ca]!, row[cb]!, keys[cb]!);
  });
  const rs = new Float64Array(R);
  const rk = new Int32Array(R);
  for (let j = 0; j < R; j++) {
    const c = judged.candidates[order[j]!]!;
    rs[j] = row[c]!;
    rk[j] = keys[c]!;
    if (Number.isNaN(rs[j])) throw new LabError('invalid-argument', `score of query ${queryForErrors} for candidate ${c} is NaN`);
  }
  const W = R + 1;
  const hist = new Float64Array(numSegments * W);
  const weakest = rs[0]!;
  const strongest = rs[R - 1]!;
  const n = row.length;
  for (let c = 0; c < n; c++) {
    const s = row[c]!;
    // Fast paths: below every judged score (most candidates for a good model), above all of them.
    if (s < weakest) continue;
    if (s > strongest) {
      hist[segments[c]! * W + R]!++;
      continue;
    }
    if (s !== s) throw new LabError('invalid-argument', `score of query ${queryForErrors} for candidate ${c} is NaN`);
    // The documents c outranks are a prefix of the weakest-first order: binary search its length.
    const k = keys[c]!;
    let lo = 0;
    let hi = R;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ranksBefore(s, k, rs[mid]!, rk[mid]!)) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) hist[segments[c]! * W + lo]!++;
  }
  // before[g][j] = candidates of segment g that outrank sorted document j = sum_{m > j} hist[g][m].
  const totalBefore = new Float64Array(R);
  const segBefore = new Float64Array(numSegments * R);
  for (let g = 0; g < numSegments; g++) {
    let acc = 0;
    for (let j = R - 1; j >= 0; j--) {
      acc += hist[g * W + j + 1]!;
      segBefore[g * R + j] = acc;
      totalBefore[j]! += acc;
    }
  }
  for (let j = 0; j < R; j++) {
    const orig = order[j]!;
    const c = judged.candidates[orig]!;
    poolRanks[orig] = totalBefore[j]! + 1;
    segmentRanks[orig] = segBefore[segments[c]! * R + j]! + 1;
  }
  return { poolRanks, segmentRanks };
}

/**
 * Exact top `depth` of `subset` (or all candidates) under the tie rule, best
 * first: a bounded heap whose root is the weakest kept candidate.
 */
export function selectTop(row: ArrayLike<number>, keys: Int32Array, subset: Int32Array | null, depth: number): Int32Array {
  const n = subset ? subset.length : row.length;
  const at = (i: number): number => (subset ? subset[i]! : i);
  const sortBest = (idx: Int32Array): Int32Array => idx.sort((a, b) => compareRanked(row[a]!, keys[a]!, row[b]!, keys[b]!));
  if (depth >= n) return sortBest(Int32Array.from({ length: n }, (_, i) => at(i)));
  const k = Math.max(0, Math.floor(depth));
  if (k === 0) return new Int32Array(0);
  const heap = new Int32Array(k);
  // "weaker(a, b)": a ranks after b. The heap keeps the weakest at index 0.
  const weaker = (a: number, b: number): boolean => ranksBefore(row[b]!, keys[b]!, row[a]!, keys[a]!);
  const siftDown = (i: number, size: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) return;
      let w = l;
      const r = l + 1;
      if (r < size && weaker(heap[r]!, heap[l]!)) w = r;
      if (!weaker(heap[w]!, heap[i]!)) return;
      const t = heap[i]!;
      heap[i] = heap[w]!;
      heap[w] = t;
      i = w;
    }
  };
  for (let i = 0; i < k; i++) heap[i] = at(i);
  for (let i = (k >> 1) - 1; i >= 0; i--) siftDown(i, k);
  for (let i = k; i < n; i++) {
    const c = at(i);
    const root = heap[0]!;
    if (ranksBefore(row[c]!, keys[c]!, row[root]!, keys[root]!)) {
      heap[0] = c;
      siftDown(0, k);
    }
  }
  return sortBest(heap);
}
