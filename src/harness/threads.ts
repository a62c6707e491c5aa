/**
 * harness.html?suite=threads[&reps=N][&shape=small]: training steps of a synthetic encoder on the wasm backend
 * in a module worker, with one thread and then with every core; returns each worker's thread count (tfjs's own
 * count) and time per step. Ratios only mean something on an idle machine: `npm run bench -- threads` reports them.
 */
import type { ThreadsRequest } from './threads.worker.ts';

interface WorkerResult { threads: number; ms: number; loss: number; backend: string; isolated: boolean; error?: string }

function once(req: ThreadsRequest): Promise<WorkerResult> {
  const w = new Worker(new URL('./threads.worker.ts', import.meta.url), { type: 'module' });
  return new Promise<WorkerResult>((resolve, reject) => {
    w.onmessage = (e: MessageEvent<WorkerResult>) => (e.data.error ? reject(new Error(e.data.error)) : resolve(e.data));
    w.onerror = (e) => reject(new Error(e.message));
    w.postMessage(req);
  }).finally(() => w.terminate());
}

export async function run(p: URLSearchParams): Promise<unknown> {
  const reps = Number(p.get('reps') ?? 5);
  const shape = p.get('shape') ?? 'small';
  const one = await once({ threads: 1, reps, shape });
  const all = await once({ reps, shape });
  return { cores: navigator.hardwareConcurrency, isolated: globalThis.crossOriginIsolated === true, shape, one, all };
}
