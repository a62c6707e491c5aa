/**
 * The one job protocol: every long piece of work (import, download,
 * tokenize, embed, evaluate, export, and later train) takes a JobControl,
 * reports one Progress shape, and ends — across a worker boundary — as one
 * Outcome. Core code throws LabError; `toDiagnostic` is the single place an
 * unexpected exception becomes an 'internal' diagnostic.
 */
import { isLabError, LabError, type DiagnosticJSON } from './errors.ts';

/** What a job hands back over a worker boundary (structured-cloneable: the LabError class does not survive a clone). */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: DiagnosticJSON };

/** One progress event, the same for every job. */
export interface Progress {
  /** What runs now, e.g. "embed passages", "bm25 pool", "download". */
  phase: string;
  done: number;
  total: number;
  /** What done/total count: "texts", "queries", "bytes", "steps". */
  unit: string;
  /** Units per second since the phase started (absent until measurable). */
  rate?: number;
  /** Seconds left at that rate (absent until measurable). */
  etaSeconds?: number;
}

export interface JobControl {
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
}

/** Any thrown value as a diagnostic: LabErrors keep their code and location; anything else is a bug, 'internal'. */
export function toDiagnostic(e: unknown): DiagnosticJSON {
  if (isLabError(e)) return (e as LabError).toJSON();
  return { severity: 'error', code: 'internal', message: e instanceof Error ? e.message : String(e) };
}

export function failure(e: unknown): { ok: false; error: DiagnosticJSON } {
  return { ok: false, error: toDiagnostic(e) };
}

/** Runs work and returns its Outcome; never throws. */
export async function outcomeOf<T>(work: () => T | Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (e) {
    return failure(e);
  }
}

/** Throws LabError('cancelled') once the signal has fired. */
export function throwIfCancelled(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new LabError('cancelled', `${what} cancelled`);
}

/**
 * Turns "done so far" into Progress events with rate and ETA, at most every
 * `intervalMs` (each event may cost the page a render) and always on the
 * first and last step.
 */
export class ProgressMeter {
  private readonly started: number;
  private last = -Infinity;
  constructor(
    private readonly phase: string,
    private readonly total: number,
    private readonly unit: string,
    private readonly onProgress: ((p: Progress) => void) | undefined,
    private readonly intervalMs = 100,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = this.now();
  }

  update(done: number): void {
    if (!this.onProgress) return;
    const t = this.now();
    if (t - this.last < this.intervalMs && done !== this.total && done !== 0) return;
    this.last = t;
    const seconds = (t - this.started) / 1000;
    const p: Progress = { phase: this.phase, done, total: this.total, unit: this.unit };
    if (done > 0 && seconds > 0.05) {
      p.rate = done / seconds;
      p.etaSeconds = Math.max(0, (this.total - done) / p.rate);
    }
    this.onProgress(p);
  }
}
