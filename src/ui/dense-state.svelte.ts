/**
 * Dense evaluations as the page shows them: every results object computed
 * by a loaded encoder, per dataset (read once from IndexedDB at start, so a
 * reload draws them without the model), and the evaluation running in the
 * model worker with its progress. No numerics: the worker returns results.
 */
import type { DiagnosticJSON } from '../core/errors.ts';
import type { EvalResults } from '../core/eval/results.ts';
import { toDiagnostic } from '../core/job.ts';
import type { Tokenization } from '../core/run-config.ts';
import { isDenseModelKey } from '../store/dense-eval.ts';
import type { DatasetRecord, ResultsRecord } from '../store/schema.ts';
import type { DenseEvalResult, Progress } from '../../workers/protocol.ts';
import { Comlink, modelWorker } from './model/model-client.ts';

export interface DenseEntry {
  /** Store key (`dense:<content hash>`). */
  modelKey: string;
  results: EvalResults;
  savedAt: number;
  source: 'cache' | 'run';
}

export interface DenseRun {
  datasetId: string;
  datasetName: string;
  progress: Progress | null;
}

export class DenseState {
  /** Per dataset id, newest first. */
  byDataset = $state<Record<string, DenseEntry[]>>({});
  running = $state<DenseRun | null>(null);
  error = $state<DiagnosticJSON | null>(null);
  notice = $state('');
  /** The last run's speed and cache use, for the panel. */
  last = $state<(Omit<DenseEvalResult, 'results'> & { datasetName: string }) | null>(null);
  #cancelled = false;

  entries(datasetId: string): DenseEntry[] {
    return this.byDataset[datasetId] ?? [];
  }

  /** Draws every cached dense evaluation among the stored results (read once by the page at start), newest first. */
  loadCached(all: readonly ResultsRecord[]): void {
    for (const r of all.filter((x) => isDenseModelKey(x.model)).sort((a, b) => b.savedAt - a.savedAt)) {
      const list = this.byDataset[r.datasetId] ?? [];
      if (!list.some((e) => e.modelKey === r.model)) this.byDataset[r.datasetId] = [...list, { modelKey: r.model, results: r.results, savedAt: r.savedAt, source: 'cache' }];
    }
  }

  private put(datasetId: string, e: DenseEntry): void {
    this.byDataset[datasetId] = [e, ...this.entries(datasetId).filter((x) => x.modelKey !== e.modelKey)];
  }

  /** Evaluates the loaded model on each dataset in turn (one job in the model worker). */
  async evaluate(datasets: DatasetRecord[], tokenization: Tokenization, batchSize: number): Promise<void> {
    if (this.running) return;
    this.error = null;
    this.notice = '';
    this.#cancelled = false;
    for (const ds of datasets) {
      if (this.#cancelled) break;
      this.running = { datasetId: ds.id, datasetName: ds.name, progress: null };
      try {
        const r = await modelWorker().evaluate({ datasetId: ds.id, tokenization, batchSize },
          Comlink.proxy((p: Progress) => { if (this.running) this.running = { ...this.running, progress: p }; }));
        if (r.ok) {
          const { results, ...rest } = r.value;
          this.put(ds.id, { modelKey: r.value.modelKey, results, savedAt: Date.now(), source: 'run' });
          this.last = { ...rest, datasetName: ds.name };
        } else if (r.error.code === 'cancelled') {
          this.notice = `Evaluation of ${ds.name} cancelled; nothing was stored.`;
          break;
        } else {
          this.error = r.error;
          break;
        }
      } catch (e) {
        this.error = toDiagnostic(e);
        break;
      }
    }
    this.running = null;
  }

  async cancel(): Promise<void> {
    this.#cancelled = true;
    await modelWorker().cancel();
  }

  /** The dataset was removed. */
  forget(datasetId: string): void {
    delete this.byDataset[datasetId];
  }
}
