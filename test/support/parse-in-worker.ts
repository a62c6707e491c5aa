/**
 * Runs fuzz cases (test/support/parse-check.ts) in a worker thread with a deadline per case. A timer in
 * the test's own thread cannot stop a parser stuck in a synchronous loop (that once stalled CI until its
 * limit); a worker can be terminated, and the case that hung is reported like any other failure.
 */
import { Worker } from 'node:worker_threads';
import type { ParseCase } from './parse-check.ts';

const ENTRY = new URL('./parse-check.ts', import.meta.url).href;

export class ParseWorker {
  private worker: Worker | undefined;
  private next = 0;

  constructor(private readonly timeoutMs: number) {}

  /** The worker, started when there is none; `fresh` when it must still load the parsers. */
  private start(): { w: Worker; fresh: boolean } {
    if (this.worker) return { w: this.worker, fresh: false };
    // tsx's loader first, so the worker can import the TypeScript sources.
    this.worker = new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(ENTRY)}); });`, { eval: true });
    return { w: this.worker, fresh: true };
  }

  /** Undefined when the parser behaved; else the problem, including "did not settle". */
  check(c: ParseCase): Promise<string | undefined> {
    const { w, fresh } = this.start();
    const id = this.next++;
    return new Promise((resolve) => {
      const done = (problem: string | undefined): void => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
        resolve(problem);
      };
      const onMessage = (m: { id: number; problem?: string }): void => { if (m.id === id) done(m.problem); };
      const onError = (e: Error): void => { this.worker = undefined; done(`the parse worker died: ${e.message}`); };
      const onExit = (code: number): void => { this.worker = undefined; done(`the parse worker exited (${code})`); };
      // A fresh worker's first case also waits for it to load the parsers.
      const timer = setTimeout(() => {
        this.worker = undefined;
        void w.terminate();
        done(`did not settle within ${this.timeoutMs} ms`);
      }, this.timeoutMs + (fresh ? 20_000 : 0));
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      w.postMessage({ ...c, id });
    });
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
  }
}
