/**
 * The BM25 baseline of each stored dataset, as the page shows it: results
 * cached in IndexedDB (read once at start, so a reload draws the heatmap
 * without the worker), runs queued one at a time in the evaluate worker, and
 * the export downloads. No numerics: the worker returns the results object.
 */
import type { DiagnosticJSON } from '../core/errors.ts';
import { toDiagnostic } from '../core/job.ts';
import type { EvalResults } from '../core/eval/results.ts';
import { resultsToJSON } from '../core/eval/results.ts';
import type { Setting } from '../core/run-config.ts';
import { BASELINE_MODEL, hasEvaluation } from '../store/baseline.ts';
import type { Progress } from '../../workers/protocol.ts';
import type { DatasetRecord, ResultsRecord } from '../store/schema.ts';
import { downloadBlob, fileStem } from './download.ts';
import { cancelEvaluation, evaluateBm25, exportBm25Run, exportQrels } from './eval-client.ts';

/**
 * Datasets the baseline starts on by itself right after their import. Full
 * XQuAD-R (13,090 queries, 13,014 candidates) takes ~20 s on one core; a
 * 100k-passage MIRACL language is left to the Run button.
 */
export const AUTO_RUN_LIMITS = { queries: 20_000, candidates: 50_000 } as const;

export type BaselineStatus = 'none' | 'queued' | 'running' | 'done' | 'failed';

export interface BaselineEntry {
  status: BaselineStatus;
  results: EvalResults | null;
  /** When the shown results were computed (ms since epoch). */
  savedAt: number | null;
  /** 'cache' = read from IndexedDB at page load; 'run' = computed in this page. */
  source: 'cache' | 'run' | null;
  progress: Progress | null;
  error: DiagnosticJSON | null;
  /** What is being exported right now, e.g. "run", with its progress. */
  exporting: string | null;
  exportProgress: Progress | null;
  notice: string;
}

function emptyEntry(): BaselineEntry {
  return { status: 'none', results: null, savedAt: null, source: null, progress: null, error: null, exporting: null, exportProgress: null, notice: '' };
}

export class BaselineState {
  entries = $state<Record<string, BaselineEntry>>({});
  /** Dataset whose job (run or export) holds the worker. */
  active = $state<string | null>(null);
  #queue: { id: string; job: () => Promise<void> }[] = [];

  entry(id: string): BaselineEntry {
    return this.entries[id] ?? emptyEntry();
  }

  private patch(id: string, p: Partial<BaselineEntry>): void {
    this.entries[id] = { ...this.entry(id), ...p };
  }

  /** Results cached by earlier visits, drawn at once. */
  /** Draws the cached BM25 results among every stored result (read once by the page at start). */
  loadCached(all: readonly ResultsRecord[]): void {
    for (const rec of all) {
      if (rec.model !== BASELINE_MODEL) continue;
      if (this.entry(rec.datasetId).status === 'none') this.patch(rec.datasetId, { status: 'done', results: rec.results, savedAt: rec.savedAt, source: 'cache' });
    }
  }

  /** Whether a freshly imported dataset gets its baseline without asking. */
  static autoRuns(rec: DatasetRecord): boolean {
    if (!hasEvaluation(rec.format)) return false;
    const queries = rec.perLanguage.reduce((s, l) => s + l.queries, 0);
    const candidates = rec.perLanguage.reduce((s, l) => s + l.candidates, 0);
    return queries > 0 && queries <= AUTO_RUN_LIMITS.queries && candidates <= AUTO_RUN_LIMITS.candidates;
  }

  afterImport(rec: DatasetRecord): void {
    if (BaselineState.autoRuns(rec)) void this.run(rec.id);
  }

  /** Queues the dataset's BM25 run (one job at a time in the worker). */
  async run(id: string): Promise<void> {
    const e = this.entry(id);
    if (e.status === 'running' || e.status === 'queued') return;
    this.patch(id, { status: 'queued', error: null, notice: '', progress: null });
    await this.enqueue(id, async () => {
      if (this.entry(id).status !== 'queued') return; // removed or cancelled while waiting
      this.patch(id, { status: 'running' });
      const outcome = await evaluateBm25(id, (p) => this.patch(id, { progress: p }));
      if (outcome.ok) {
        this.patch(id, { status: 'done', results: outcome.value, savedAt: Date.now(), source: 'run', progress: null });
      } else if (outcome.error.code === 'cancelled') {
        const had = this.entry(id).results;
        this.patch(id, { status: had ? 'done' : 'none', progress: null, notice: 'BM25 run cancelled; nothing was stored.' });
      } else {
        this.patch(id, { status: 'failed', progress: null, error: outcome.error });
      }
    });
  }

  async cancel(id: string): Promise<void> {
    const e = this.entry(id);
    if (e.status === 'queued') {
      this.#queue = this.#queue.filter((j) => j.id !== id);
      this.patch(id, { status: e.results ? 'done' : 'none', notice: 'BM25 run cancelled; nothing was stored.' });
    } else if (this.active === id) {
      await cancelEvaluation();
    }
  }

  /** The dataset was removed: stop its job, drop its entry. */
  async forget(id: string): Promise<void> {
    await this.cancel(id);
    delete this.entries[id];
  }

  downloadResults(rec: DatasetRecord): void {
    const r = this.entry(rec.id).results;
    if (!r) return;
    downloadBlob(new Blob([resultsToJSON(r), '\n'], { type: 'application/json' }), `${fileStem(rec.name)}.bm25.results.json`);
  }

  async downloadRun(rec: DatasetRecord, setting: Setting, depth: number | 'all'): Promise<void> {
    if (this.entry(rec.id).exporting) return;
    this.patch(rec.id, { exporting: 'run', exportProgress: null, error: null, notice: '' });
    await this.enqueue(rec.id, async () => {
      const outcome = await exportBm25Run(rec.id, setting, depth, (p) => this.patch(rec.id, { exportProgress: p }));
      this.patch(rec.id, { exporting: null, exportProgress: null });
      if (outcome.ok) downloadBlob(outcome.value, `${fileStem(rec.name)}.bm25.${setting}.depth-${depth}.trec`);
      else if (outcome.error.code === 'cancelled') this.patch(rec.id, { notice: 'Export cancelled.' });
      else this.patch(rec.id, { error: outcome.error });
    });
  }

  async downloadQrels(rec: DatasetRecord, setting: Setting): Promise<void> {
    try {
      const outcome = await exportQrels(rec.id, setting);
      if (outcome.ok) downloadBlob(outcome.value, `${fileStem(rec.name)}.${setting}.qrels`);
      else this.patch(rec.id, { error: outcome.error });
    } catch (e) {
      this.patch(rec.id, { error: toDiagnostic(e) });
    }
  }

  private async enqueue(id: string, job: () => Promise<void>): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#queue.push({
        id,
        job: async () => {
          try { await job(); } catch (e) {
            this.patch(id, { status: this.entry(id).results ? 'done' : 'failed', progress: null, exporting: null, error: toDiagnostic(e) });
          } finally { resolve(); }
        },
      });
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.active !== null) return;
    const next = this.#queue.shift();
    if (!next) return;
    this.active = next.id;
    try { await next.job(); } finally {
      this.active = null;
      void this.pump();
    }
  }
}

