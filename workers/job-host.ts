/**
 * The one helper that exposes core jobs over comlink: one job at a time per
 * worker (two evaluations at once would only halve each other's speed and
 * double their memory), a cancel that reaches the running job through its
 * AbortSignal, progress forwarded without awaiting the page, and every end
 * turned into an Outcome (core/job.ts).
 */
import { failure, type JobControl, type Outcome, type Progress } from '../src/core/job.ts';

export class JobHost {
  private running: AbortController | undefined;

  /** `what` names the job kind in the busy message, e.g. "an evaluation". */
  constructor(private readonly what: string) {}

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Runs `work` unless another job runs; `onBusy` answers in that case. */
  async exclusive<T>(work: (signal: AbortSignal) => Promise<T>, onBusy: (message: string) => T): Promise<T> {
    if (this.running) return onBusy(`${this.what} is already running; wait for it or cancel it`);
    const ctl = new AbortController();
    this.running = ctl;
    try {
      return await work(ctl.signal);
    } finally {
      if (this.running === ctl) this.running = undefined;
    }
  }

  /** A cancellable job with progress, ending as an Outcome. */
  run<T>(work: (ctl: JobControl & { signal: AbortSignal }) => Promise<T>, onProgress?: (p: Progress) => void): Promise<Outcome<T>> {
    return this.exclusive(async (signal) => {
      try {
        // Fire-and-forget: awaiting each message would slow the job down to the page's pace.
        return { ok: true, value: await work({ signal, ...(onProgress ? { onProgress: (p: Progress) => void onProgress(p) } : {}) }) };
      } catch (e) {
        return failure(e);
      }
    }, (message) => ({ ok: false, error: { severity: 'error', code: 'invalid-argument', message } }));
  }

  /** Aborts the running job, if any: with no reason it ends with a 'cancelled' error; a LabError reason (a lost GPU) is the job's error. */
  cancel(reason?: unknown): void {
    this.running?.abort(reason);
  }
}
