/** The page's handle on the model worker (one per page, created on first use). */
import * as Comlink from 'comlink';
import type { ModelWorkerApi } from '../../../workers/model.worker.ts';

let remote: Comlink.Remote<ModelWorkerApi> | undefined;

export function modelWorker(): Comlink.Remote<ModelWorkerApi> {
  remote ??= Comlink.wrap<ModelWorkerApi>(new Worker(new URL('../../../workers/model.worker.ts', import.meta.url), { type: 'module' }));
  return remote;
}

export { Comlink };
