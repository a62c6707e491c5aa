/**
 * A vitest reporter that names what is still running: every minute it prints
 * the tests that have run longer than `STILL_RUNNING_S`, and it keeps the list
 * of running tests in the file `VITEST_RUNNING_FILE` names, so that
 * scripts/test-all.mjs can say which test hung when it has to kill the run at
 * its deadline (a hung test otherwise leaves a CI log that just stops).
 */
import { writeFileSync } from 'node:fs';
import type { Reporter, TestCase, TestModule } from 'vitest/node';

const STILL_RUNNING_S = 150;

export default class WatchReporter implements Reporter {
  private readonly running = new Map<string, number>();
  private readonly file = process.env.VITEST_RUNNING_FILE;
  private timer: NodeJS.Timeout | undefined;

  onInit(): void {
    this.timer = setInterval(() => this.report(), 60_000);
    this.timer.unref();
  }

  onTestModuleStart(m: TestModule): void {
    this.running.set(m.moduleId, Date.now());
    this.save();
  }

  onTestModuleEnd(m: TestModule): void {
    this.running.delete(m.moduleId);
    this.save();
  }

  onTestCaseReady(t: TestCase): void {
    this.running.set(`${t.module.moduleId} > ${t.fullName}`, Date.now());
    this.save();
  }

  onTestCaseResult(t: TestCase): void {
    this.running.delete(`${t.module.moduleId} > ${t.fullName}`);
    this.save();
  }

  onTestRunEnd(): void {
    clearInterval(this.timer);
    this.running.clear();
    this.save();
  }

  private named(name: string): string {
    return name.replace(process.cwd() + '/', '');
  }

  private report(): void {
    const now = Date.now();
    for (const [name, t] of this.running) {
      const s = Math.round((now - t) / 1000);
      if (s >= STILL_RUNNING_S) process.stderr.write(`still running after ${s} s: ${this.named(name)}\n`);
    }
  }

  /** Start times, not ages: the file is read when the run is killed, after the last event. */
  private save(): void {
    if (!this.file) return;
    const lines = [...this.running].map(([name, t]) => `since ${new Date(t).toISOString().slice(11, 19)} UTC: ${this.named(name)}`);
    try { writeFileSync(this.file, lines.join('\n')); } catch { /* diagnostics only */ }
  }
}
