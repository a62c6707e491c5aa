/** The page's handle on the model worker (one per page, created on first use). */
import * as Comlink from 'comlink';
import type { ModelWorkerApi } from '../../../workers/model.worker.ts';

let remote: Comlink.Remote<ModelWorkerApi> | undefined;
const errorListeners: ((message: string) => void)[] = [];

export function modelWorker(): Comlink.Remote<ModelWorkerApi> {
  if (!remote) {
    const worker = new Worker(new URL('../../../workers/model.worker.ts', import.meta.url), { type: 'module' });
    // An uncaught error or a worker the browser killed (out of memory): comlink's pending calls never answer,
    // so whoever waits on one (a training run) is told here.
    worker.addEventListener('error', (e) => {
      const message = e.message || 'the worker failed without a message (out of memory?)';
      for (const l of errorListeners) l(message);
    });
    remote = Comlink.wrap<ModelWorkerApi>(worker);
  }
  return remote;
}

/** Called when the model worker reports an uncaught error or stops. */
export function onModelWorkerError(listener: (message: string) => void): void {
  errorListeners.push(listener);
}

export { Comlink };
