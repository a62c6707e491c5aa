/** The page's handle on workers/analyze.worker.ts, started on first use. */
import * as Comlink from 'comlink';
import type { AnalyzeWorkerApi } from '../../../workers/analyze.worker.ts';

let remote: Comlink.Remote<AnalyzeWorkerApi> | undefined;

export function analyzeWorker(): Comlink.Remote<AnalyzeWorkerApi> {
  remote ??= Comlink.wrap<AnalyzeWorkerApi>(new Worker(new URL('../../../workers/analyze.worker.ts', import.meta.url), { type: 'module', name: 'analyze' }));
  return remote;
}
