/**
 * Seeded pseudo-random numbers for everything that must be reproducible from a
 * RunConfig seed (splits, samplers, generated test models). One generator so a
 * seed means the same stream everywhere.
 */

/** mulberry32: a fast 32-bit PRNG; returns a function yielding floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The same generator as an object whose state can be saved and restored
 * (training checkpoints: a resumed run must draw the same batches as an
 * uninterrupted one).
 */
export class SeededRng {
  private a: number;
  constructor(seed: number) {
    this.a = seed >>> 0;
  }
  /** A float in [0, 1); the same sequence as mulberry32(seed). */
  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
  get state(): number {
    return this.a;
  }
  static fromState(state: number): SeededRng {
    const r = new SeededRng(0);
    r.a = state >>> 0;
    return r;
  }
}

/** Fisher–Yates shuffle in place (returns the same array), driven by a seeded generator. */
export function shuffle<T>(xs: T[], rand: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}
