/**
 * The tfjs encoder against an independent PyTorch implementation
 * (scripts/golden_encoder.py: nn.TransformerEncoderLayer, float64) on the tiny
 * generated models: pooled embeddings to 1e-4, gradients of an in-batch InfoNCE
 * loss to 1e-3 relative, on the cpu and the wasm backend (which takes the
 * scatter-gradient embedding and explicit-transpose matmul paths).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../../src/node/backend.ts';
import { loadEncoder } from '../../../src/core/encoder/load.ts';
import { toTokenBatch, type Encoder } from '../../../src/core/encoder/model.ts';
import { kernelsFor } from '../../../src/core/tf/ops.ts';
import { lossAndGradients } from '../../../src/core/encoder/grads.ts';
import { folderFileProvider } from '../../../src/node/model-folder.ts';
import { GEN_DIR, FIXTURES, type GoldenEncoder, infoNCE, maxAbs } from './helpers.ts';

type Golden = GoldenEncoder;

const MODELS = ['tiny-bert', 'tiny-xlmr', 'tiny-distilbert'] as const;

function golden(name: string): Golden {
  return JSON.parse(readFileSync(join(FIXTURES, `golden-${name}.json`), 'utf8')) as Golden;
}

describe.each(['cpu', 'wasm'] as const)('golden encoder on %s', (backend) => {
  beforeAll(async () => {
    const b = await initNodeBackend(backend);
    expect(b.backend).toBe(backend);
  });

  for (const name of MODELS) {
    describe(name, () => {
      const g = golden(name);
      let enc: Encoder;
      beforeAll(async () => {
        enc = await loadEncoder(folderFileProvider(join(GEN_DIR, name)));
      });
      afterAll(() => enc?.dispose());

      it('pooled embeddings match PyTorch to 1e-4', async () => {
        const emb = await enc.embed(toTokenBatch(g.inputs.ids, g.inputs.mask));
        expect(emb.length).toBe(g.embeddings.length);
        for (let i = 0; i < emb.length; i++) {
          expect(emb[i]!.length).toBe(g.embeddings[i]!.length);
          expect(maxAbs(emb[i]!, g.embeddings[i]!)).toBeLessThan(1e-4);
        }
      });

      it.each(['tape', 'checkpointed'] as const)('InfoNCE loss and %s gradients match PyTorch to 1e-3 relative', async (mode) => {
        const batch = toTokenBatch(g.inputs.ids, g.inputs.mask);
        const k = kernelsFor();
        expect(k.scatterEmbeddingGrad).toBe(true);
        expect(k.explicitTransposeGrad).toBe(backend === 'wasm');
        const vars = enc.trainableVariables();
        const taped = tf.variableGrads(() => infoNCE(enc.pool(batch, k), g.n_queries, g.temperature), vars);
        const value = taped.value.dataSync()[0]!;
        // Same loss, two gradient paths: tfjs's whole-graph tape and the checkpointed per-layer one.
        const ckpt = await lossAndGradients(enc, [batch], ([e]) => infoNCE(e!, g.n_queries, g.temperature), k);
        const grads = mode === 'tape' ? taped.grads : ckpt.grads;
        expect(Math.abs(value - g.loss)).toBeLessThan(1e-4 * Math.max(1, g.loss));
        expect(Math.abs(ckpt.loss - g.loss)).toBeLessThan(1e-4 * Math.max(1, g.loss));
        expect(Object.keys(ckpt.grads).sort()).toEqual(Object.keys(taped.grads).sort());
        const gradOf = (param: string): tf.Tensor => {
          const v = param.startsWith('2_Dense/') ? enc.denseVars[0]!.weight : enc.params.get(param)!.variable;
          return grads[v.name]!;
        };
        for (const [param, ref] of Object.entries(g.grads)) {
          let t = gradOf(param);
          const linear = param.startsWith('2_Dense/') || enc.params.get(param)!.spec.linear;
          if (linear) t = tf.transpose(t); // tfjs holds [in, out]; the fixture is PyTorch's [out, in]
          const rows = ref.shape[0]!;
          const got = t.slice(0, rows).dataSync();
          const scale = Math.max(...ref.values.map(Math.abs));
          expect(scale, `${param} reference gradient is all zeros`).toBeGreaterThan(0);
          expect(maxAbs(got, ref.values) / scale, param).toBeLessThan(1e-3);
        }
        const word = gradOf('embeddings.word_embeddings.weight');
        const wr = g.word_embedding_grad_rows;
        const got = tf.gather(word, wr.rows).arraySync() as number[][];
        const scale = Math.max(...wr.values.flat().map(Math.abs));
        for (let r = 0; r < wr.rows.length; r++) expect(maxAbs(got[r]!, wr.values[r]!) / scale).toBeLessThan(1e-3);
        tf.dispose([taped.value, ...Object.values(taped.grads), ...Object.values(ckpt.grads)]);
      });
    });
  }
});
