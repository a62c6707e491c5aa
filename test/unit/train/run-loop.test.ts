/**
 * The one training loop (src/core/train/run.ts) over hundreds of steps with
 * validations and checkpoints, as every host runs it: the tensor count stays
 * flat from step to step (no leak in the step, the validation, the
 * checkpoint), a pause ends with a checkpoint of the step it stopped at, and
 * a cancel stops before the next step with nothing saved after it.
 */
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../../src/node/backend.ts';
import { nodeFolderProvider } from '../../../src/node/model-source.ts';
import { loadTextModel } from '../../../src/core/tokenize/text-model.ts';
import { makeRunConfig } from '../../../src/core/run-config.ts';
import { asTrainConfig, cutToSplit, prepareTrainingData, runTraining, trainerOptions, type TrainRunConfig } from '../../../src/core/train/run.ts';
import { Trainer, type TrainerCheckpoint } from '../../../src/core/train/trainer.ts';
import { loadDatasetFromPaths } from '../../../src/cli/load-files.ts';
import type { Dataset } from '../../../src/core/dataset/types.ts';
import { GENERATED_MODELS_DIR } from '../../support/mock-hub.ts';
import { writeXquadSlice } from '../../support/xquad-slice.ts';

let data: Dataset;
const config = (over: Record<string, unknown> = {}): TrainRunConfig => asTrainConfig(makeRunConfig({
  version: 1, kind: 'train', model: { source: 'folder', name: 'tiny-bert', sha256: '0'.repeat(64) },
  datasets: [{ name: 'slice', shards: [{ name: 'de.json', sha256: '0'.repeat(64) }], split: 'test' }],
  tokenization: { maxLength: 16, queryPrefix: 'query: ', passagePrefix: 'passage: ' }, backend: 'wasm', seed: 5,
  train: {
    data: [{ name: 'slice', shards: [{ name: 'de.json', sha256: '0'.repeat(64) }], split: 'train' }],
    batchSize: 4, steps: 300, lr: 1e-3, warmupSteps: 10, checkpointEvery: 50, validateEvery: 100, validationBatches: 2,
    splitFractions: { train: 0.5, validation: 0.25, test: 0.25 }, ...over,
  },
}));

beforeAll(async () => {
  await initNodeBackend('wasm');
  const dir = mkdtempSync(join(tmpdir(), 'run-loop-'));
  data = await loadDatasetFromPaths(writeXquadSlice(dir, { langs: ['de', 'en', 'zh'], articles: 4 }).files);
});

function prepared(c: TrainRunConfig) {
  return prepareTrainingData(c, [cutToSplit(data, 'train', c)], [cutToSplit(data, 'validation', c)]);
}

describe('runTraining', () => {
  it('the tensor count stays flat over 300 steps with validations and checkpoints', async () => {
    const c = config();
    const model = await loadTextModel(nodeFolderProvider(join(GENERATED_MODELS_DIR, 'tiny-bert')), { maxLength: 16 });
    const trainer = new Trainer(model, (await prepared(c)).pool, trainerOptions(c));
    const counts: number[] = [];
    const saved: number[] = [];
    const end = await runTraining(trainer, model, await prepared(c), c, 'cpu', {
      onStep: () => { counts.push(tf.memory().numTensors); },
      saveCheckpoint: async (k) => { saved.push(k.step); },
    });
    expect(end).toEqual({ kind: 'finished', step: 300 });
    expect(counts).toHaveLength(300);
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(saved).toEqual([50, 100, 150, 200, 250, 300]);
    const validated = trainer.history.filter((h) => h.val_loss_mono !== undefined).map((h) => h.step);
    expect(validated).toEqual([100, 200, 300]);
    expect(trainer.history.find((h) => h.step === 100)!.val_map_multi).toBeGreaterThan(0);
    trainer.dispose();
    model.encoder.dispose();
  }, 300_000);

  it('a pause ends with a checkpoint of its step; a cancel stops before the next step', async () => {
    const c = config({ steps: 20, validateEvery: 0, checkpointEvery: 100 });
    const model = await loadTextModel(nodeFolderProvider(join(GENERATED_MODELS_DIR, 'tiny-bert')), { maxLength: 16 });
    const t1 = new Trainer(model, (await prepared(c)).pool, trainerOptions(c));
    const saved: TrainerCheckpoint[] = [];
    let asked = 0;
    const end = await runTraining(t1, model, await prepared(c), c, 'cpu', { saveCheckpoint: async (k) => { saved.push(k); } }, { pauseRequested: () => ++asked >= 7 });
    expect(end).toEqual({ kind: 'paused', step: 7 });
    expect(saved.map((k) => k.step)).toEqual([7]);
    expect(saved[0]!.history).toHaveLength(7);
    t1.dispose();

    const ctl = new AbortController();
    const t2 = new Trainer(model, (await prepared(c)).pool, trainerOptions(c));
    const steps: number[] = [];
    const run = runTraining(t2, model, await prepared(c), c, 'cpu', {
      onStep: (h) => { steps.push(h.step); if (h.step === 3) ctl.abort(); },
      saveCheckpoint: async () => { throw new Error('no checkpoint expected'); },
    }, { signal: ctl.signal });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(steps).toEqual([1, 2, 3]);
    t2.dispose();
    model.encoder.dispose();
  }, 120_000);
});
