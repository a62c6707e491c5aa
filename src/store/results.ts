/**
 * Cached evaluation results (the `results` store, DB version 2): one record
 * per (dataset, model), so a reload draws the heatmap from storage instead of
 * re-running the evaluation.
 */
import { LabError } from '../core/errors.ts';
import type { EvalResults } from '../core/eval/results.ts';
import { describe, type LabDatabase } from './db.ts';
import type { ResultsRecord } from './schema.ts';

/**
 * Stores results for a dataset, replacing earlier ones for the same model.
 * Refuses (and writes nothing) when the dataset is no longer stored, e.g.
 * removed in another tab while its evaluation ran: orphaned results would
 * otherwise reappear if the same files were imported again.
 */
export async function saveResults(db: LabDatabase, datasetId: string, model: string, results: EvalResults, savedAt = Date.now()): Promise<ResultsRecord> {
  const record: ResultsRecord = { datasetId, model, results, savedAt };
  const tx = db.transaction(['datasets', 'results'], 'readwrite');
  try {
    if (!(await tx.objectStore('datasets').getKey(datasetId))) {
      throw new LabError('storage', `dataset ${datasetId.slice(0, 12)}… was removed while it was being evaluated; the results were not stored`);
    }
    await tx.objectStore('results').put(record);
    await tx.done;
    return record;
  } catch (e) {
    try { tx.abort(); } catch { /* already finished */ }
    await tx.done.catch(() => undefined);
    if (e instanceof LabError) throw e;
    throw new LabError('storage', `saving the ${model} results to IndexedDB failed: ${describe(tx.error ?? e)}`);
  }
}

export async function loadResults(db: LabDatabase, datasetId: string, model: string): Promise<ResultsRecord | undefined> {
  return db.get('results', [datasetId, model]);
}

/** Every cached result of one model, by dataset id (the page reads them all at start). */
export async function resultsByDataset(db: LabDatabase, model: string): Promise<Record<string, ResultsRecord>> {
  const out: Record<string, ResultsRecord> = {};
  for (const r of await db.getAll('results')) if (r.model === model) out[r.datasetId] = r;
  return out;
}
