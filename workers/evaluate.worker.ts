/**
 * Evaluate worker: a thin comlink adapter over src/store/baseline.ts, so the
 * BM25 baseline (every query against every pool, twice) and the run-file
 * export never block the page. One job at a time; `cancel` aborts it.
 */
import * as Comlink from 'comlink';
import { isLabError, type DiagnosticJSON } from '../src/core/errors.ts';
import type { Dataset } from '../src/core/dataset/types.ts';
import type { EvalResults } from '../src/core/eval/results.ts';
import type { Setting } from '../src/core/run-config.ts';
import { openLabDb, type LabDatabase } from '../src/store/db.ts';
import { baselineQrelsBlob, baselineRunBlob, runBaseline, type BaselineProgress } from '../src/store/baseline.ts';

export type WorkerOutcome<T> = { ok: true; value: T } | { ok: false; error: DiagnosticJSON };

let db: Promise<LabDatabase> | undefined;
let running: AbortController | undefined;

/** Progress at most every 100 ms (and always the last step): each message costs the page a render. */
function throttled(onProgress: (p: BaselineProgress) => void): (p: BaselineProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < 100 && p.done !== p.total) return;
    last = now;
    void onProgress(p);
  };
}

/** A cancellable job; one at a time, as two BM25 passes at once would only halve each other's speed. */
async function job<T>(work: (db: LabDatabase, signal: AbortSignal) => Promise<T>): Promise<WorkerOutcome<T>> {
  if (running) return { ok: false, error: { severity: 'error', code: 'invalid-argument', message: 'an evaluation is already running; wait for it or cancel it' } };
  const ctl = new AbortController();
  running = ctl;
  try {
    return await attempt((d) => work(d, ctl.signal));
  } finally {
    running = undefined;
  }
}

async function attempt<T>(work: (db: LabDatabase) => Promise<T>): Promise<WorkerOutcome<T>> {
  try {
    db ??= openLabDb();
    return { ok: true, value: await work(await db) };
  } catch (e) {
    return { ok: false, error: isLabError(e) ? e.toJSON() : { severity: 'error', code: 'internal', message: e instanceof Error ? e.message : String(e) } };
  }
}

const api = {
  /** BM25 in every setting of a stored dataset (id: results cached in IndexedDB) or of a Dataset given whole. */
  evaluateBm25(source: string | Dataset, onProgress: (p: BaselineProgress) => void): Promise<WorkerOutcome<EvalResults>> {
    return job((d, signal) => runBaseline(d, source, { signal, onProgress: throttled(onProgress) }));
  },

  /** One setting's BM25 TREC run, `depth` per query (default 1000). */
  exportRun(source: string | Dataset, setting: Setting, depth: number | 'all', onProgress: (p: BaselineProgress) => void): Promise<WorkerOutcome<Blob>> {
    return job((d, signal) => baselineRunBlob(d, source, { setting, depth, signal, onProgress: throttled(onProgress) }));
  },

  /** The qrels matching that setting's run (quick: no ranking, so it does not wait for a running job). */
  exportQrels(source: string | Dataset, setting: Setting): Promise<WorkerOutcome<Blob>> {
    return attempt((d) => baselineQrelsBlob(d, source, setting));
  },

  cancel(): void {
    running?.abort();
  },
};

export type EvaluateWorkerApi = typeof api;

Comlink.expose(api);
