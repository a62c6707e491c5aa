/**
 * harness.html?suite=threads[&reps=N]: the wasm backend in a module worker with one thread, then with every
 * core; returns each worker's thread count and time per workload (ratios only mean something on an idle machine).
 */
interface WorkerResult { threads: number; ms: number; backend: string; isolated: boolean; error?: string }

function once(threads: number | undefined, reps: number): Promise<WorkerResult> {
  const w = new Worker(new URL('./threads.worker.ts', import.meta.url), { type: 'module' });
  return new Promise<WorkerResult>((resolve, reject) => {
    w.onmessage = (e: MessageEvent<WorkerResult>) => (e.data.error ? reject(new Error(e.data.error)) : resolve(e.data));
    w.onerror = (e) => reject(new Error(e.message));
    w.postMessage({ threads, reps });
  }).finally(() => w.terminate());
}

export async function run(p: URLSearchParams): Promise<unknown> {
  const reps = Number(p.get('reps') ?? 5);
  const one = await once(1, reps);
  const all = await once(undefined, reps);
  return { cores: navigator.hardwareConcurrency, isolated: globalThis.crossOriginIsolated === true, one, all };
}
