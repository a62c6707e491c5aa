/**
 * harness.html?suite=eval[&backends=cpu,tfjs-wasm,tfjs-webgpu][&cases=int-dot,float-cosine]
 *
 * Evaluates the synthetic LAReQA-like fixture (src/harness/eval-fixture.ts) in
 * the page with denseModel on each requested backend (WebGPU in Playwright's
 * chromium is the SwiftShader adapter) and returns, per case and backend, the
 * results object, every judged query's metrics, the multilingual top-10 per
 * query, the tfjs backend that was active and the time taken.
 * test/browser/eval-scorers.spec.ts compares them across backends and with
 * the Node core.
 */
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { DenseBackend } from '../core/eval/index.ts';
import { initBackend, probeBackendEnv, type BackendEnv } from '../core/tf/backend.ts';
import { evaluateFixture, makeEvalFixture, type EvalCase, type EvalRunOutput } from './eval-fixture.ts';

export interface EvalHarnessResult {
  env: BackendEnv;
  /** Backend initialised before the tfjs runs (wasm, with the Vite-served .wasm files). */
  wasmInit: string;
  cases: Record<string, Record<string, EvalRunOutput>>;
}

export async function run(p: URLSearchParams): Promise<EvalHarnessResult> {
  const backends = (p.get('backends') ?? 'cpu,tfjs-wasm,tfjs-webgpu').split(',') as DenseBackend[];
  const cases = (p.get('cases') ?? 'int-dot,float-cosine').split(',') as EvalCase[];
  const env = await probeBackendEnv();
  // The tfjs scorer switches backends itself; wasm needs its .wasm URLs set first (Vite `?url`).
  const wasm = await initBackend('wasm', {
    env,
    wasmPaths: { 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded },
  });
  const out: EvalHarnessResult = { env, wasmInit: wasm.backend, cases: {} };
  for (const c of cases) {
    const f = makeEvalFixture(c);
    const byBackend: Record<string, EvalRunOutput> = {};
    for (const b of backends) byBackend[b] = await evaluateFixture(f, b);
    out.cases[c] = byBackend;
  }
  return out;
}
