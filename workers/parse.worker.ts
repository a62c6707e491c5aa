/**
 * Parse worker: a thin comlink adapter over src/store/import.ts, so reading,
 * gunzipping, parsing and saving hundreds of MB never blocks the page. All
 * logic lives in core/store where Node tests reach it.
 */
import * as Comlink from 'comlink';
import type { ParquetColumns } from '../src/core/dataset/parse-parquet.ts';
import { toDiagnostic } from '../src/core/job.ts';
import { openLabDb, type LabDatabase } from '../src/store/db.ts';
import { importShards, probeSources } from '../src/store/import.ts';
import type { ImportOptions, ImportOutcome, ImportProgress, ProbedFile } from '../src/store/import-types.ts';
import { JobHost } from './job-host.ts';

let db: Promise<LabDatabase> | undefined;
const jobs = new JobHost('an import');

const api = {
  probe(files: File[], paths: (string | null)[] = [], columns: (ParquetColumns | null)[] = []): Promise<ProbedFile[]> {
    return probeSources(files, paths, columns);
  },

  /** An import reports every error it found (file, line, path), so its outcome carries a list rather than one diagnostic. */
  importFiles(files: File[], opts: ImportOptions, onProgress: (p: ImportProgress) => void): Promise<ImportOutcome> {
    return jobs.exclusive(async (signal) => {
      try {
        db ??= openLabDb();
        // Progress is fire-and-forget: awaiting each message would slow the parse down to the page's pace.
        return await importShards(await db, files, opts, { signal, onProgress: (p) => void onProgress(p) });
      } catch (e) {
        return { ok: false, errors: [toDiagnostic(e)] };
      }
    }, (message) => ({ ok: false, errors: [{ severity: 'error', code: 'invalid-argument', message }] }));
  },

  cancel(): void {
    jobs.cancel();
  },
};

export type ParseWorkerApi = typeof api;

Comlink.expose(api);
