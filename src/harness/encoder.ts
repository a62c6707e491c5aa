/**
 * harness.html?suite=encoder&model=<base URL of a model folder>&golden=<URL of golden JSON>[&backend=webgpu][&grads=1]
 *
 * Loads a tiny generated model over fetch into the tfjs encoder on the requested
 * backend (WebGPU in Playwright's chromium: SwiftShader), embeds the golden token
 * ids and, with grads=1, takes the gradients of the golden InfoNCE loss (tfjs tape
 * and the checkpointed lossAndGradients). On WebGPU it also runs the fast path
 * (src/core/fast/: the project's own kernels) for the embeddings and, with
 * grads=1, the loss and gradients. Returns
 * raw numbers; test/browser/encoder-webgpu.spec.ts compares them with the PyTorch
 * fixture.
 */
import * as tf from '@tensorflow/tfjs';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { lossAndGradients } from '../core/encoder/grads.ts';
import { loadEncoder } from '../core/encoder/load.ts';
import { toTokenBatch, type Encoder } from '../core/encoder/model.ts';
import type { BackendPreference } from '../core/run-config.ts';
import { initBackend, probeBackendEnv } from '../core/tf/backend.ts';
import { kernelsFor } from '../core/tf/ops.ts';
import { AdamW } from '../core/train/optimizer.ts';
import { FastTrainer } from '../core/fast/train-step.ts';

interface GoldenInput {
  temperature: number;
  n_queries: number;
  inputs: { ids: number[][]; mask: number[][] };
  grads: Record<string, unknown>;
}

function infoNCE(emb: tf.Tensor2D, nq: number, temperature: number): tf.Scalar {
  const n = tf.div(emb, tf.norm(emb, 'euclidean', 1, true));
  const logits = tf.div(tf.matMul(tf.slice(n, [0, 0], [nq, -1]), tf.transpose(tf.slice(n, [nq, 0], [nq, -1]))), temperature);
  return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.range(0, nq, 1, 'int32'), nq), logits) as tf.Scalar;
}

/**
 * The golden fixture's gradients, by Hugging Face name, in PyTorch's layout ([out, in] for linear weights):
 * `gradOf` gives a variable's gradient as tfjs holds it ([in, out]).
 */
async function byGoldenName(enc: Encoder, names: readonly string[], gradOf: (v: tf.Variable) => tf.Tensor): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const name of names) {
    const dense = name.startsWith('2_Dense/');
    const v = dense ? enc.denseVars[0]!.weight : enc.params.get(name)?.variable;
    if (!v) continue;
    const linear = dense || enc.params.get(name)!.spec.linear;
    const g = tf.tidy(() => (linear ? tf.transpose(gradOf(v)) : tf.clone(gradOf(v))));
    out[name] = Array.from(await g.data());
    g.dispose();
  }
  return out;
}

export async function run(p: URLSearchParams): Promise<unknown> {
  const base = p.get('model') ?? '';
  const golden = (await (await fetch(p.get('golden') ?? '')).json()) as GoldenInput;
  const env = await probeBackendEnv();
  const active = await initBackend((p.get('backend') ?? 'webgpu') as BackendPreference, {
    env,
    wasmPaths: { 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded },
  });
  const files = async (path: string): Promise<Uint8Array | undefined> => {
    const r = await fetch(`${base}/${path}`);
    if (r.status === 404) return undefined;
    if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
    return new Uint8Array(await r.arrayBuffer());
  };
  const t0 = performance.now();
  const enc = await loadEncoder(files);
  const batch = toTokenBatch(golden.inputs.ids, golden.inputs.mask);
  const embeddings = (await enc.embed(batch)).map((e) => Array.from(e));
  const embedMs = performance.now() - t0;
  const result: Record<string, unknown> = { env, active, kernels: kernelsFor(), embeddings, embedMs };
  if (p.get('grads') === '1') {
    const { value, grads } = tf.variableGrads(() => infoNCE(enc.pool(batch), golden.n_queries, golden.temperature), enc.trainableVariables());
    const out = await byGoldenName(enc, Object.keys(golden.grads), (v) => grads[v.name]!);
    result.loss = (await value.data())[0];
    result.grads = out;
    tf.dispose([value, ...Object.values(grads)]);
    // The checkpointed per-layer backward (what training uses) on the same backend.
    const ck = await lossAndGradients(enc, [batch], ([e]) => infoNCE(e!, golden.n_queries, golden.temperature));
    const outCk = await byGoldenName(enc, Object.keys(golden.grads), (v) => ck.grads[v.name]!);
    result.lossCheckpointed = ck.loss;
    result.gradsCheckpointed = outCk;
    tf.dispose(Object.values(ck.grads));
  }
  if (active.backend === 'webgpu') {
    const opt = new AdamW();
    const fast = new FastTrainer(enc, opt);
    result.fastEmbeddings = (await fast.embed(batch))!.map((e) => Array.from(e));
    if (p.get('grads') === '1') {
      const r = (await fast.gradients({ tokens: batch, numQueries: golden.n_queries }, { temperature: golden.temperature }))!;
      const out = await byGoldenName(enc, Object.keys(golden.grads), (v) => tf.tensor(r.grads.get(v)!, v.shape));
      result.lossFast = r.loss;
      result.gradsFast = out;
    }
    fast.dispose();
    opt.dispose();
  }
  enc.dispose();
  return result;
}
