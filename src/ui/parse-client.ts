/**
 * The page's handle on workers/parse.worker.ts. The worker starts on first
 * use, so a page that only lists cached datasets never starts it: the
 * counters on `window.__polyglotLab` let browser tests prove a reload did not
 * re-parse anything.
 */
import * as Comlink from 'comlink';
import type { ParseWorkerApi } from '../../workers/parse.worker.ts';
import type { ParquetColumns } from '../core/dataset/parse-parquet.ts';
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
let thread: Worker | undefined;

function worker(): Comlink.Remote<ParseWorkerApi> {
  if (!remote) {
    thread = new Worker(new URL('../../workers/parse.worker.ts', import.meta.url), { type: 'module', name: 'parse' });
    remote = Comlink.wrap<ParseWorkerApi>(thread);
    activity.workerStarted = true;
  }
  return remote;
}

/** Stops the parse worker if it is still `which` (a new one starts on next use). */
function stopWorker(which: Worker | undefined): void {
  if (!which || thread !== which) return;
  which.terminate();
  remote = undefined;
  thread = undefined;
}

/** How long a cancelled import may take to stop by itself before its worker is stopped. */
const CANCEL_GRACE_MS = 3000;
/** Settles the running import from outside, when its worker had to be stopped. */
let abandon: ((outcome: ImportOutcome) => void) | undefined;

/** A look at a file reads its first megabyte or a Parquet footer: far quicker than this, unless the reader is stuck. */
const PROBE_TIMEOUT_MS = 30_000;
const PROBE_TIMEOUT_PER_FILE_MS = 1_000;

/**
 * Format, language and Parquet columns of each file. A look that never ends (a reader stuck on a malformed
 * file) stops its worker after PROBE_TIMEOUT_MS and lists the files as unreadable instead of waiting forever.
 */
export async function probeFiles(files: File[], paths: (string | null)[] = [], columns: (ParquetColumns | null)[] = []): Promise<ProbedFile[]> {
  activity.probes++;
  const looking = worker().probe(files, paths, columns);
  const stuck = thread;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = PROBE_TIMEOUT_MS + files.length * PROBE_TIMEOUT_PER_FILE_MS;
  const timedOut = new Promise<ProbedFile[]>((resolve) => {
    timer = setTimeout(() => {
      stopWorker(stuck);
      resolve(files.map((f) => ({
        name: f.name, size: f.size, format: null, lang: null, needsLang: false,
        error: { severity: 'error', code: 'unknown-format', file: f.name, message: `${f.name}: could not be looked at within ${Math.round(limit / 1000)} s (its reader was stopped): leave it out, or check the file` },
      })));
    }, limit);
  });
  try {
    return await Promise.race([looking, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

export function importFiles(files: File[], opts: ImportOptions, onProgress: (p: ImportProgress) => void): Promise<ImportOutcome> {
  activity.imports++;
  const running = worker().importFiles(files, opts, Comlink.proxy(onProgress));
  const stopped = new Promise<ImportOutcome>((resolve) => { abandon = resolve; });
  return Promise.race([running, stopped]).finally(() => { abandon = undefined; });
}

/**
 * Cancels the running import, if any; it then resolves with a 'cancelled' error and stores nothing. A parser
 * checks for cancellation between chunks; one stuck inside a file (a malformed one no check foresaw) never
 * gets to, so after a grace period the worker itself is stopped and a new one starts on next use. Nothing
 * is half-stored either way: the import writes in one transaction at its end, which a stopped worker aborts.
 */
export async function cancelImport(): Promise<void> {
  const settle = abandon;
  const stuck = thread;
  if (!remote || !settle) return;
  void remote.cancel();
  await new Promise((r) => setTimeout(r, CANCEL_GRACE_MS));
  if (abandon !== settle || thread !== stuck) return; // it stopped by itself
  stopWorker(stuck);
  settle({ ok: false, errors: [{ severity: 'error', code: 'cancelled', message: 'import cancelled (its worker was stopped: a file kept it busy past the cancel)' }] });
}
