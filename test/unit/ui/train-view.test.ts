/**
 * What the Train panel draws and starts from: chart series picked from the
 * history (gaps where validation did not run), examples/s over the arrival
 * times, the training marks on heatmaps, and the batch suggested per device.
 */
import { describe, expect, it } from 'vitest';
import { examplesPerSecond, trainCharts } from '../../../src/ui/train/train-view.ts';
import { trainingMark } from '../../../src/ui/baseline-view.ts';
import { suggestedBatch } from '../../../src/core/train/defaults.ts';
import type { HistoryEntry } from '../../../src/core/train/trainer.ts';

const entry = (step: number, extra: Partial<HistoryEntry> = {}): HistoryEntry => ({
  step, loss: 3 - step / 10, alpha: 0.5, lr: 1e-4 * step, batch_type: 'mono', grad_norm: 1, examples: 8, epoch: step / 10, ...extra,
});

describe('train charts', () => {
  it('loss, alpha and lr always; validation series with gaps once validated; mAP chart when mAP was logged', () => {
    const plain = trainCharts([entry(1), entry(2)]);
    expect(plain.map((c) => c.title)).toEqual(['Loss', 'Alpha (share of X-X batches)', 'Learning rate']);
    expect(plain[0]!.series.map((s) => s.label)).toEqual(['training']);
    expect(plain[2]!.series[0]!.values).toEqual([1e-4, 2e-4]);

    const h = [entry(1), entry(2, { val_loss_mono: 1.5, val_loss_cross: 2.5, val_map_mono: 0.3, val_map_cross: 0.2, val_map_multi: 0.1 }), entry(3, { loss: NaN })];
    const c = trainCharts(h);
    expect(c.map((x) => x.title)).toEqual(['Loss', 'Alpha (share of X-X batches)', 'Learning rate', 'Validation mAP']);
    expect(c[0]!.steps).toEqual([1, 2, 3]);
    expect(c[0]!.series[0]!.values).toEqual([2.9, 2.8, null]); // a non-finite value is a gap, not a point
    expect(c[0]!.series[1]!.values).toEqual([null, 1.5, null]);
    expect(c[3]!.series.map((s) => s.values[1])).toEqual([0.3, 0.2, 0.1]);
  });

  it('examples per second over the last steps', () => {
    const h = [entry(1), entry(2), entry(3)];
    expect(examplesPerSecond(h, [0, 1000, 2000])).toBe(8);
    expect(examplesPerSecond(h.slice(0, 1), [0])).toBeNull();
    expect(examplesPerSecond(h, [5, 5, 5])).toBeNull();
  });

  it('marks languages seen in training, held out, or not in the training data', () => {
    const view = { seen: { langs: ['de', 'en'], heldOut: ['vi'], steps: 10 } };
    expect(trainingMark(view, 'de')).toBe('seen');
    expect(trainingMark(view, 'vi')).toBe('held-out');
    expect(trainingMark(view, 'zh')).toBe('unseen');
    expect(trainingMark({ seen: null }, 'de')).toBeNull();
  });
});

describe('suggested batch', () => {
  it('keeps the batch and turns on the gradient cache when a step would not fit', () => {
    expect(suggestedBatch({ backend: 'wasm', hidden: 64, layers: 2, maxLength: 64 })).toMatchObject({ batchSize: 32 });
    expect(suggestedBatch({ backend: 'wasm', hidden: 64, layers: 2, maxLength: 64 }).cacheChunk).toBeUndefined();
    const big = suggestedBatch({ backend: 'wasm', hidden: 768, layers: 12, maxLength: 256, deviceMemoryGB: 4 });
    expect(big.batchSize).toBe(32);
    expect(big.cacheChunk).toBeGreaterThanOrEqual(2);
    expect(big.cacheChunk).toBeLessThan(64);
    expect(big.reason).toMatch(/gradient cache/);
    // A GPU's budget is larger than a 2 GB tab's.
    const gpu = suggestedBatch({ backend: 'webgpu', hidden: 768, layers: 12, maxLength: 256 });
    expect(gpu.cacheChunk ?? Infinity).toBeGreaterThan(big.cacheChunk!);
  });
});
