/**
 * Evaluate worker: a thin comlink adapter over src/store/baseline.ts, so the
 * BM25 baseline (every query against every pool, twice) and the run-file
 * export never block the page. One job at a time; `cancel` aborts it.
 */
import * as Comlink from 'comlink';
import type { Dataset } from '../src/core/dataset/types.ts';
import type { EvalResults } from '../src/core/eval/results.ts';
import { outcomeOf } from '../src/core/job.ts';
import type { Setting } from '../src/core/run-config.ts';
import { openLabDb, type LabDatabase } from '../src/store/db.ts';
import { baselineQrelsBlob, baselineRunBlob, runBaseline } from '../src/store/baseline.ts';
import { JobHost } from './job-host.ts';
import { loadMined, mineStoredDataset } from '../src/store/mined.ts';
import type { MiningSettings } from '../src/core/train/mine.ts';
import type { MinedRecord } from '../src/store/schema.ts';
import { queryTexts, searchStoredBm25, type SearchRequest } from '../src/store/search.ts';
import type { SearchResult } from '../src/core/eval/search.ts';
import type { Outcome, Progress } from './protocol.ts';

let db: Promise<LabDatabase> | undefined;
const jobs = new JobHost('an evaluation');

function database(): Promise<LabDatabase> {
  db ??= openLabDb().catch((e: unknown) => { db = undefined; throw e; });
  return db;
}

const api = {
  /** BM25 in every setting of a stored dataset (id: results cached in IndexedDB) or of a Dataset given whole. */
  evaluateBm25(source: string | Dataset, onProgress: (p: Progress) => void): Promise<Outcome<EvalResults>> {
    return jobs.run(async (ctl) => runBaseline(await database(), source, ctl), onProgress);
  },

  /** One setting's BM25 TREC run, `depth` per query (default 1000). */
  exportRun(source: string | Dataset, setting: Setting, depth: number | 'all', onProgress: (p: Progress) => void): Promise<Outcome<Blob>> {
    return jobs.run(async (ctl) => baselineRunBlob(await database(), source, { setting, depth, ...ctl }), onProgress);
  },

  /** The qrels matching that setting's run (quick: no ranking, so it does not wait for a running job). */
  async exportQrels(source: string | Dataset, setting: Setting): Promise<Outcome<Blob>> {
    return outcomeOf(async () => baselineQrelsBlob(await database(), source, setting));
  },

  /** One query (a dataset query or free text) against a stored dataset's pool with BM25: the explorer, the drill-down. */
  async search(req: SearchRequest): Promise<Outcome<SearchResult>> {
    return outcomeOf(async () => searchStoredBm25(await database(), req));
  },

  /** Texts of some of a stored dataset's queries. */
  async queryTexts(datasetId: string, ids: string[]): Promise<Outcome<{ id: string; lang: string; text: string }[]>> {
    return outcomeOf(async () => queryTexts(await database(), datasetId, ids));
  },

  /** Mines hard negatives for a stored dataset with BM25 and stores them beside it. */
  mine(datasetId: string, settings: MiningSettings, onProgress: (p: Progress) => void): Promise<Outcome<MinedRecord>> {
    return jobs.run(async (ctl) => mineStoredDataset(await database(), datasetId, settings, ctl.signal), onProgress);
  },

  /** The negatives mined for a dataset before (a reload shows them again), or null. */
  async mined(datasetId: string): Promise<Outcome<MinedRecord | null>> {
    return outcomeOf(async () => (await loadMined(await database(), datasetId)) ?? null);
  },

  cancel(): void {
    jobs.cancel();
  },
};

export type EvaluateWorkerApi = typeof api;

Comlink.expose(api);
