/**
 * Batch samplers of hybrid batch training (METHOD.md "Batch sampling"). The
 * choice of X-X or X-Y is made per batch, never per pair:
 *
 * - `xx`     X-X mono: one language per batch, drawn uniformly among the training
 *            languages; every pair has query and passage in that language.
 * - `xy`     X-Y cross: query and passage languages differ in every pair. `crossMode`
 *            "batch" draws one ordered (x, y), x ≠ y, uniformly per batch; "pair" draws
 *            (x, y) per pair among the languages the group has. Recorded in the batch.
 * - `multi`  languages drawn per pair, independently for query and passage (x = y allowed).
 * - `hybrid` X-X with probability alpha, else X-Y (the paper: alpha 0.5, stable 0.4–0.6).
 *
 * Every batch avoids repeating a parallel group or a passage (batch.ts).
 * Samplers are pure functions of the pool, the batch size, alpha and a
 * seeded generator whose state a checkpoint saves (SeededRng.state), so a
 * seed gives the same sequence and a resumed run the same batches.
 */
import { LabError } from '../../errors.ts';
import type { Lang } from '../../dataset/types.ts';
import { SeededRng } from '../../random.ts';
import type { ParallelGroup, TrainingPool } from '../pool.ts';
import { fillBatch, hasPositive, hasQuery, type TrainingBatch } from './batch.ts';

export type SamplerKind = 'xx' | 'xy' | 'multi' | 'hybrid';
export type CrossMode = 'batch' | 'pair';

export interface SamplerOptions {
  kind: SamplerKind;
  batchSize: number;
  /** X-Y: one (x, y) per batch, or a pair of languages per example. */
  crossMode?: CrossMode;
}

export interface SampledBatch extends TrainingBatch {
  /** The X-Y mode used, when the batch is cross-lingual. */
  crossMode?: CrossMode;
}

const pick = <T>(xs: readonly T[], rng: SeededRng): T => xs[rng.below(xs.length)]!;

function monoBatch(pool: TrainingPool, size: number, rng: SeededRng): SampledBatch {
  const x = pick(pool.languages, rng);
  const pairs = fillBatch(pool.groups, size, rng, (g) => (hasQuery(g, x) && hasPositive(g, x) ? [x, x] : undefined));
  return { kind: 'mono', pairs };
}

function crossLangsOf(g: ParallelGroup, rng: SeededRng): [Lang, Lang] | undefined {
  const options: [Lang, Lang][] = [];
  for (const [x, sx] of g.byLang) {
    if (sx.query === undefined) continue;
    for (const [y, sy] of g.byLang) if (y !== x && sy.positive !== undefined) options.push([x, y]);
  }
  return options.length ? pick(options, rng) : undefined;
}

function crossBatch(pool: TrainingPool, size: number, rng: SeededRng, mode: CrossMode): SampledBatch {
  if (pool.languages.length < 2) {
    throw new LabError('invalid-argument', `X-Y batches need two or more training languages; the training data has ${pool.languages.join(', ') || 'none'}`, { path: 'train.sampler' }, 'xx, or data in two or more languages');
  }
  if (mode === 'pair') return { kind: 'cross', crossMode: 'pair', pairs: fillBatch(pool.groups, size, rng, (g) => crossLangsOf(g, rng)) };
  const x = pick(pool.languages, rng);
  const y = pick(pool.languages.filter((l) => l !== x), rng);
  const pairs = fillBatch(pool.groups, size, rng, (g) => (hasQuery(g, x) && hasPositive(g, y) ? [x, y] : undefined));
  return { kind: 'cross', crossMode: 'batch', pairs };
}

function multiBatch(pool: TrainingPool, size: number, rng: SeededRng): SampledBatch {
  const pairs = fillBatch(pool.groups, size, rng, (g) => {
    const qs = [...g.byLang].filter(([, s]) => s.query !== undefined).map(([l]) => l);
    const ps = [...g.byLang].filter(([, s]) => s.positive !== undefined).map(([l]) => l);
    return qs.length && ps.length ? [pick(qs, rng), pick(ps, rng)] : undefined;
  });
  return { kind: 'multi', pairs };
}

/** A seeded batch stream over a pool; `state` is what a checkpoint saves. */
export class BatchSampler {
  private readonly rng: SeededRng;
  constructor(private readonly pool: TrainingPool, private readonly opts: SamplerOptions, seedOrState: { seed: number } | { state: number }) {
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 2) {
      throw new LabError('invalid-argument', `batch size ${opts.batchSize} is too small for in-batch negatives`, { path: 'train.batchSize' }, 'an integer of at least 2');
    }
    if (opts.batchSize > pool.groups.length) {
      throw new LabError('invalid-argument', `batch size ${opts.batchSize} is larger than the ${pool.groups.length} parallel groups of the training data`, { path: 'train.batchSize' }, `at most ${pool.groups.length}`);
    }
    if ((opts.kind === 'xy' || opts.kind === 'hybrid') && pool.languages.length < 2) crossBatch(pool, 0, new SeededRng(0), 'batch'); // throws the explanation
    if (opts.kind === 'xy' || opts.kind === 'hybrid') {
      // Cross-lingual batches need parallel groups (a query in one language, its positive in another); MIRACL and
      // BEIR train splits have none, and a cross batch drawn from them would be empty.
      let parallel = 0;
      for (const g of pool.groups) if (crossLangsOf(g, new SeededRng(0)) && ++parallel >= 2) break;
      if (parallel < 2) {
        throw new LabError('invalid-argument', `${opts.kind === 'xy' ? 'X-Y' : 'hybrid'} batches need parallel training data (a query in one language with its positive in another); ${parallel === 0 ? 'no' : 'only one'} group of the training data has that`, { path: 'train.sampler' }, 'the xx sampler, or parallel data (LAReQA, pairs with query_lang ≠ passage_lang)');
      }
    }
    this.rng = 'seed' in seedOrState ? new SeededRng(seedOrState.seed) : SeededRng.fromState(seedOrState.state);
  }

  get state(): number {
    return this.rng.state;
  }

  /** The next batch; `alpha` (the probability of an X-X batch) only matters to the hybrid sampler. */
  next(alpha = 0.5): SampledBatch {
    if (!(alpha >= 0 && alpha <= 1)) throw new LabError('invalid-argument', `alpha ${alpha} is outside [0, 1]`, { path: 'train.alpha' }, 'a probability from 0 to 1');
    const mode = this.opts.crossMode ?? 'batch';
    switch (this.opts.kind) {
      case 'xx': return monoBatch(this.pool, this.opts.batchSize, this.rng);
      case 'xy': return crossBatch(this.pool, this.opts.batchSize, this.rng, mode);
      case 'multi': return multiBatch(this.pool, this.opts.batchSize, this.rng);
      case 'hybrid': return this.rng.next() < alpha ? monoBatch(this.pool, this.opts.batchSize, this.rng) : crossBatch(this.pool, this.opts.batchSize, this.rng, mode);
    }
  }
}
