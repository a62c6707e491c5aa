/**
 * Analyze worker: comparisons of two results objects (paired randomization
 * tests over every cell and setting: up to a few hundred million sign
 * flips, too long for the page's thread). A thin comlink adapter over
 * src/core/eval/compare.ts.
 */
import * as Comlink from 'comlink';
import { compareResults, type Comparison } from '../src/core/eval/compare.ts';
import type { EvalResults } from '../src/core/eval/results.ts';
import type { MetricName } from '../src/core/eval/metrics.ts';
import { outcomeOf, type Outcome } from '../src/core/job.ts';

const api = {
  /** B − A per cell and setting; `permutations` random sign assignments per test beyond the exact limit (ranx's default: 1000). */
  compare(a: EvalResults, b: EvalResults, metric: MetricName, permutations = 1000): Promise<Outcome<Comparison>> {
    return outcomeOf(() => compareResults(a, b, metric, { permutations }));
  },
};

export type AnalyzeWorkerApi = typeof api;

Comlink.expose(api);
