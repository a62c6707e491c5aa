/**
 * Parse worker: a thin comlink adapter over src/store/import.ts, so reading,
 * gunzipping, parsing and saving hundreds of MB never blocks the page. All
 * logic lives in core/store where Node tests reach it.
 */
import * as Comlink from 'comlink';
import { isLabError } from '../src/core/errors.ts';
import { openLabDb, type LabDatabase } from '../src/store/db.ts';
import { importShards, probeSources } from '../src/store/import.ts';
import type { ImportOptions, ImportOutcome, ImportProgress, ProbedFile } from '../src/store/import-types.ts';

let db: Promise<LabDatabase> | undefined;
let running: AbortController | undefined;

const api = {
  probe(files: File[], paths: (string | null)[] = []): Promise<ProbedFile[]> {
    return probeSources(files, paths);
  },

  async importFiles(files: File[], opts: ImportOptions, onProgress: (p: ImportProgress) => void): Promise<ImportOutcome> {
    if (running) return { ok: false, errors: [{ severity: 'error', code: 'invalid-argument', message: 'an import is already running; wait for it or cancel it' }] };
    const ctl = new AbortController();
    running = ctl;
    try {
      db ??= openLabDb();
      // Progress is fire-and-forget: awaiting each message would slow the parse down to the page's pace.
      return await importShards(await db, files, opts, { signal: ctl.signal, onProgress: (p) => void onProgress(p) });
    } catch (e) {
      const d = isLabError(e) ? e.toJSON() : { severity: 'error' as const, code: 'internal', message: e instanceof Error ? e.message : String(e) };
      return { ok: false, errors: [d] };
    } finally {
      running = undefined;
    }
  },

  cancel(): void {
    running?.abort();
  },
};

export type ParseWorkerApi = typeof api;

Comlink.expose(api);
