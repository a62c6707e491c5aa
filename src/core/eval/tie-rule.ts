/**
 * The one ranking rule every metric, run file and top-k list in the project
 * uses: score descending, ties broken by docid descending (string compare),
 * as trec_eval (`comp_sim_docno`), pytrec_eval and MTEB do.
 *
 * "String compare" means trec_eval's strcmp on UTF-8 bytes, which is
 * Unicode code-point order. JavaScript's `<` compares UTF-16 code units and
 * disagrees with it for characters above U+E000 versus astral ones, so ids
 * are compared by code point here.
 *
 * Hot loops cannot afford a string compare per candidate, so a pool's ids are
 * first turned into integer tie keys (`docIdTieKeys`: larger key = larger id)
 * and `ranksBefore` is applied to (score, key) pairs. Both derive from
 * `compareDocIds`, so there is exactly one definition of the order.
 */

/** Code-point (= UTF-8 byte = strcmp) order of two ids: negative when a < b. */
export function compareDocIds(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) {
      // Surrogates (D800-DFFF) encode code points above FFFF: they sort after
      // every BMP code unit, including E000-FFFF.
      const sa = ca >= 0xd800 && ca <= 0xdfff;
      const sb = cb >= 0xd800 && cb <= 0xdfff;
      if (sa !== sb) return sa ? 1 : -1;
      return ca - cb;
    }
  }
  return a.length - b.length;
}

/**
 * Integer tie keys for a list of ids: keys[i] > keys[j] exactly when
 * ids[i] > ids[j] in `compareDocIds` order. Equal ids get equal keys (callers
 * that need unique ids check for duplicates themselves).
 */
export function docIdTieKeys(ids: readonly string[]): Int32Array {
  const order = Array.from(ids.keys()).sort((i, j) => compareDocIds(ids[i]!, ids[j]!));
  const keys = new Int32Array(ids.length);
  let key = 0;
  for (let r = 0; r < order.length; r++) {
    const i = order[r]!;
    if (r > 0 && ids[order[r - 1]!] !== ids[i]) key++;
    keys[i] = key;
  }
  return keys;
}

/**
 * THE tie rule: does (scoreA, keyA) rank strictly before (scoreB, keyB)?
 * Higher score first; on equal scores the larger docid first.
 */
export function ranksBefore(scoreA: number, keyA: number, scoreB: number, keyB: number): boolean {
  return scoreA > scoreB || (scoreA === scoreB && keyA > keyB);
}

/** Comparator for Array.prototype.sort built on `ranksBefore` (best first). */
export function compareRanked(scoreA: number, keyA: number, scoreB: number, keyB: number): number {
  if (ranksBefore(scoreA, keyA, scoreB, keyB)) return -1;
  if (ranksBefore(scoreB, keyB, scoreA, keyA)) return 1;
  return 0;
}

/**
 * Full ranking of candidates (indices, best first) for one row of scores.
 * `keys` are `docIdTieKeys` of the candidates' ids.
 */
export function rankIndices(scores: ArrayLike<number>, keys: Int32Array, subset?: ArrayLike<number>): Int32Array {
  const idx = subset ? Int32Array.from(subset) : Int32Array.from({ length: scores.length }, (_, i) => i);
  idx.sort((a, b) => compareRanked(scores[a]!, keys[a]!, scores[b]!, keys[b]!));
  return idx;
}
