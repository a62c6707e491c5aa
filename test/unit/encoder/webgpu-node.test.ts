/**
 * tfjs-backend-webgpu under Node, on Dawn (the `webgpu` package): with no GPU
 * here it runs on Chromium's SwiftShader, the same WebGPU code the page runs
 * (on a GPU machine, the GPU). The tiny model's embeddings and a dense
 * evaluation must equal the wasm backend's. CI installs chromium and
 * libvulkan1 (scripts/test-all.mjs), so there the adapter must exist.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initNodeBackend, installNodeWebGPU } from '../../../src/node/backend.ts';
import { nodeFolderProvider } from '../../../src/node/model-source.ts';
import { embedTexts, loadTextModel } from '../../../src/core/tokenize/text-model.ts';
import { evaluateTextModel } from '../../../src/core/eval/dense.ts';
import { GENERATED_MODELS_DIR } from '../../support/mock-hub.ts';
import { toyDataset } from '../store/helpers.ts';

const TEXTS = ['query: Wer schrieb Faust?', 'passage: Goethe schrieb Faust.', 'query: ¿Quién escribió Don Quijote?'];
const available = await installNodeWebGPU().catch(() => false);

describe('WebGPU in Node (Dawn)', () => {
  it('has an adapter where CI installed one', () => {
    if (process.env.CI) expect(available).toBe(true);
  });

  it.runIf(available)('embeds and evaluates like wasm', async () => {
    const folder = nodeFolderProvider(join(GENERATED_MODELS_DIR, 'tiny-bert'));
    const { dataset } = toyDataset();
    const tok = { queryPrefix: 'query: ', passagePrefix: 'passage: ' };
    await initNodeBackend('wasm');
    const wasmModel = await loadTextModel(folder);
    const want = await embedTexts(wasmModel, TEXTS);
    const wantEval = await evaluateTextModel(wasmModel, dataset, { name: 'tiny-bert', scorer: 'tfjs-wasm', tokenization: tok });
    wasmModel.encoder.dispose();

    const active = await initNodeBackend('webgpu');
    expect(active.backend).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    const gpuModel = await loadTextModel(folder);
    const got = await embedTexts(gpuModel, TEXTS);
    for (let i = 0; i < TEXTS.length; i++) for (let d = 0; d < want[i]!.length; d++) expect(Math.abs(got[i]![d]! - want[i]![d]!)).toBeLessThan(1e-5);
    const gotEval = await evaluateTextModel(gpuModel, dataset, { name: 'tiny-bert', scorer: 'tfjs-webgpu', tokenization: tok });
    expect(gotEval.results.description.scorer).toBe('tfjs-webgpu');
    for (const s of ['mono', 'cross', 'multi'] as const) {
      for (const [pair, cell] of Object.entries(wantEval.results.settings[s]!.pairs)) expect(gotEval.results.settings[s]!.pairs[pair]!.map).toBeCloseTo(cell.map, 5);
    }
    gpuModel.encoder.dispose();
  });
});
