/** The page's handle on the tokenize worker (one per page, created on first use). */
import * as Comlink from 'comlink';
import type { TokenizeWorkerApi } from '../../../workers/tokenize.worker.ts';

let remote: Comlink.Remote<TokenizeWorkerApi> | undefined;

export function tokenizeWorker(): Comlink.Remote<TokenizeWorkerApi> {
  remote ??= Comlink.wrap<TokenizeWorkerApi>(new Worker(new URL('../../../workers/tokenize.worker.ts', import.meta.url), { type: 'module' }));
  return remote;
}
