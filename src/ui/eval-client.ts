/**
 * The page's handle on workers/evaluate.worker.ts. Like the parse worker it
 * starts on first use, so a reload that draws cached results never starts
 * it: the counters on `window.__polyglotLabEval` let browser tests prove it.
 */
import * as Comlink from 'comlink';
import type { MiningSettings } from '../core/train/mine.ts';
import type { MinedRecord } from '../store/schema.ts';
import type { EvaluateWorkerApi } from '../../workers/evaluate.worker.ts';
import type { Outcome, Progress } from '../../workers/protocol.ts';
import type { EvalResults } from '../core/eval/results.ts';
import type { Setting } from '../core/run-config.ts';
import type { SearchRequest } from '../store/search.ts';
import type { SearchResult } from '../core/eval/search.ts';


export interface EvalActivity {
  workerStarted: boolean;
  evaluations: number;
  exports: number;
}

declare global {
  interface Window { __polyglotLabEval?: EvalActivity }
}

const activity: EvalActivity = { workerStarted: false, evaluations: 0, exports: 0 };
if (typeof window !== 'undefined') window.__polyglotLabEval = activity;

let remote: Comlink.Remote<EvaluateWorkerApi> | undefined;

function worker(): Comlink.Remote<EvaluateWorkerApi> {
  if (!remote) {
    const w = new Worker(new URL('../../workers/evaluate.worker.ts', import.meta.url), { type: 'module', name: 'evaluate' });
    remote = Comlink.wrap<EvaluateWorkerApi>(w);
    activity.workerStarted = true;
  }
  return remote;
}

/** BM25 on every setting of a stored dataset; the worker caches the results in IndexedDB. */
export function evaluateBm25(datasetId: string, onProgress: (p: Progress) => void): Promise<Outcome<EvalResults>> {
  activity.evaluations++;
  return worker().evaluateBm25(datasetId, Comlink.proxy(onProgress));
}

export function exportBm25Run(datasetId: string, setting: Setting, depth: number | 'all', onProgress: (p: Progress) => void): Promise<Outcome<Blob>> {
  activity.exports++;
  return worker().exportRun(datasetId, setting, depth, Comlink.proxy(onProgress));
}

export function exportQrels(datasetId: string, setting: Setting): Promise<Outcome<Blob>> {
  activity.exports++;
  return worker().exportQrels(datasetId, setting);
}

/** Cancels the running evaluation or export; it then resolves with a 'cancelled' error and stores nothing. */
export async function cancelEvaluation(): Promise<void> {
  await remote?.cancel();
}

/** BM25 search of one query over a stored dataset (explorer, drill-down). */
export function searchBm25(req: SearchRequest): Promise<Outcome<SearchResult>> {
  return worker().search(req);
}

/** Texts of some of a stored dataset's queries. */
export function queryTexts(datasetId: string, ids: string[]): Promise<Outcome<{ id: string; lang: string; text: string }[]>> {
  return worker().queryTexts(datasetId, ids);
}

/** Mines hard negatives for a stored dataset with BM25 in the evaluate worker; they are stored beside it. */
export function mineNegatives(datasetId: string, settings: MiningSettings, onProgress: (p: Progress) => void): Promise<Outcome<MinedRecord>> {
  return worker().mine(datasetId, settings, Comlink.proxy(onProgress));
}
