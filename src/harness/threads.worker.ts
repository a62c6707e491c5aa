/**
 * A module worker (where the app runs tfjs) that starts the wasm backend with
 * the given thread count and times a training-sized workload: the harness's
 * `threads` suite compares one thread with every core.
 */
import * as tf from '@tensorflow/tfjs';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { initBackend } from '../core/tf/backend.ts';

self.onmessage = async (e: MessageEvent<{ threads?: number; reps: number }>) => {
  try {
    const active = await initBackend('wasm', {
      env: { webgpu: 'none', wasm: true },
      wasmPaths: { 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded },
      ...(e.data.threads !== undefined ? { wasmThreads: e.data.threads } : {}),
    });
    const threads = (await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount();
    // An encoder-layer-sized product (batch 16 × 32 tokens, hidden 256 → 1024) forward and both backward products.
    const x = tf.randomNormal([512, 256]);
    const w = tf.randomNormal([256, 1024]);
    const run = async (): Promise<void> => {
      const y = tf.tidy(() => {
        const h = tf.matMul(x, w);
        return tf.add(tf.sum(tf.matMul(h, w, false, true)), tf.sum(tf.matMul(x, h, true, false)));
      });
      await y.data();
      y.dispose();
    };
    await run();
    const t0 = performance.now();
    for (let i = 0; i < e.data.reps; i++) await run();
    const ms = (performance.now() - t0) / e.data.reps;
    tf.dispose([x, w]);
    self.postMessage({ threads, ms, backend: active.backend, isolated: self.crossOriginIsolated });
  } catch (err) {
    self.postMessage({ error: String(err) });
  }
};
