/**
 * A module worker (where the app runs tfjs) that starts the wasm backend with
 * the given thread count and times training steps of a synthetic encoder (the
 * training worker's code path: trainStep with checkpointed gradients and AdamW):
 * the harness's `threads` suite compares one thread with every core.
 */
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { initBackend } from '../core/tf/backend.ts';
import { batchFor, buildEncoder, shapeNamed } from '../core/encoder/synthetic.ts';
import { AdamW } from '../core/train/optimizer.ts';
import { trainStep } from '../core/train/step.ts';

export interface ThreadsRequest { threads?: number; reps: number; shape: string }

self.onmessage = async (e: MessageEvent<ThreadsRequest>) => {
  try {
    const active = await initBackend('wasm', {
      env: { webgpu: 'none', wasm: true },
      wasmPaths: { 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded },
      ...(e.data.threads !== undefined ? { wasmThreads: e.data.threads } : {}),
    });
    const s = shapeNamed(e.data.shape);
    const enc = buildEncoder(s);
    const opt = new AdamW({ weightDecay: 0.01 });
    const micro = [{ tokens: batchFor(s), numQueries: s.batch / 2 }];
    const step = () => trainStep(enc, micro, opt, { lr: 3e-5, maxGradNorm: 1 });
    const first = await step();
    const t0 = performance.now();
    for (let i = 0; i < e.data.reps; i++) await step();
    const ms = (performance.now() - t0) / e.data.reps;
    opt.dispose();
    enc.dispose();
    self.postMessage({ threads: active.threads ?? 1, ms, loss: first.loss, backend: active.backend, isolated: self.crossOriginIsolated });
  } catch (err) {
    self.postMessage({ error: String(err) });
  }
};
