/** InfoNCE variants against a hand computation in float64 on small vectors. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../../src/node/backend.ts';
import { infoNCE } from '../../../src/core/train/losses/info-nce.ts';

const Q = [[1, 0, 0], [0, 2, 0.5]];
const P = [[0.9, 0.1, 0], [0.2, 1, 0.3]];
const N = [[0, 0, 1], [1, 1, 1]];
const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0) / Math.hypot(...a) / Math.hypot(...b);
const ce = (logits: number[], target: number) => Math.log(logits.reduce((s, l) => s + Math.exp(l), 0)) - logits[target]!;

beforeAll(async () => { await initNodeBackend('cpu'); });

describe('InfoNCE', () => {
  const t = 0.05;
  const run = (variant: 'in-batch' | 'paper' | 'symmetric', neg = true) =>
    tf.tidy(() => infoNCE(tf.tensor2d(Q), tf.tensor2d(P), neg ? tf.tensor2d(N) : undefined, { temperature: t, variant }).dataSync()[0]!);

  it('in-batch: other positives and the hard negatives in the denominator, mean over queries', () => {
    const want = Q.map((q, i) => ce([...P, ...N].map((d) => cos(q, d) / t), i)).reduce((a, b) => a + b) / Q.length;
    expect(run('in-batch')).toBeCloseTo(want, 4);
    const noNeg = Q.map((q, i) => ce(P.map((d) => cos(q, d) / t), i)).reduce((a, b) => a + b) / Q.length;
    expect(run('in-batch', false)).toBeCloseTo(noNeg, 4);
  });

  it("paper: only the positive and the hard negatives; refuses a batch without negatives", () => {
    const want = Q.map((q, i) => ce([P[i]!, ...N].map((d) => cos(q, d) / t), 0)).reduce((a, b) => a + b) / Q.length;
    expect(run('paper')).toBeCloseTo(want, 4);
    expect(() => run('paper', false)).toThrow(/only the hard negatives in its denominator/);
  });

  it('symmetric: the mean of query→passage and passage→query', () => {
    const fwd = Q.map((q, i) => ce(P.map((d) => cos(q, d) / t), i)).reduce((a, b) => a + b) / Q.length;
    const bwd = P.map((p, i) => ce(Q.map((q) => cos(p, q) / t), i)).reduce((a, b) => a + b) / P.length;
    expect(run('symmetric', false)).toBeCloseTo((fwd + bwd) / 2, 4);
  });
});
