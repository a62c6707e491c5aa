/**
 * The page's handle on workers/parse.worker.ts. The worker starts on first
 * use, so a page that only lists cached datasets never starts it: the
 * counters on `window.__polyglotLab` let browser tests prove a reload did not
 * re-parse anything.
 */
import * as Comlink from 'comlink';
import type { ParseWorkerApi } from '../../workers/parse.worker.ts';
import type { ImportOptions, ImportOutcome, ImportProgress, ProbedFile } from '../store/import-types.ts';

export interface ParseActivity {
  workerStarted: boolean;
  probes: number;
  imports: number;
}

declare global {
  interface Window { __polyglotLab?: ParseActivity }
}

const activity: ParseActivity = { workerStarted: false, probes: 0, imports: 0 };
if (typeof window !== 'undefined') window.__polyglotLab = activity;

let remote: Comlink.Remote<ParseWorkerApi> | undefined;

function worker(): Comlink.Remote<ParseWorkerApi> {
  if (!remote) {
    const w = new Worker(new URL('../../workers/parse.worker.ts', import.meta.url), { type: 'module', name: 'parse' });
    remote = Comlink.wrap<ParseWorkerApi>(w);
    activity.workerStarted = true;
  }
  return remote;
}

export function probeFiles(files: File[], paths: (string | null)[] = []): Promise<ProbedFile[]> {
  activity.probes++;
  return worker().probe(files, paths);
}

export function importFiles(files: File[], opts: ImportOptions, onProgress: (p: ImportProgress) => void): Promise<ImportOutcome> {
  activity.imports++;
  return worker().importFiles(files, opts, Comlink.proxy(onProgress));
}

/** Cancels the running import, if any; it then resolves with a 'cancelled' error and stores nothing. */
export async function cancelImport(): Promise<void> {
  await remote?.cancel();
}
