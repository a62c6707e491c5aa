/**
 * Training as the page shows it: every stored run (read at start, so a
 * reload lists them and offers to resume an interrupted one), and the run in
 * the model worker with its progress, live history and memory. Start, pause,
 * resume, cancel and delete go to the worker or the store; no numerics here.
 */
import type { DiagnosticJSON } from '../../core/errors.ts';
import { toDiagnostic } from '../../core/job.ts';
import type { HistoryEntry } from '../../core/train/trainer.ts';
import type { LabDatabase } from '../../store/db.ts';
import type { TrainRunRecord } from '../../store/schema.ts';
import { deleteRun, listRuns } from '../../store/train-runs.ts';
import type { ExperimentEvent, ModelInfo, Outcome, Progress, StoredExperimentOutcome, TrainEvent, TrainStartRequest } from '../../../workers/protocol.ts';
import type { ExperimentResults } from '../../core/experiment/aggregate.ts';
import type { RunConfig } from '../../core/run-config.ts';
import { experimentRequest } from './experiment-files.ts';
import { Comlink, modelWorker, onModelWorkerError } from '../model/model-client.ts';

export interface ActiveRun {
  /** Null until the worker has created the run. */
  runId: string | null;
  progress: Progress | null;
  history: HistoryEntry[];
  /** When each history entry arrived (ms), for examples/s. */
  arrivals: number[];
  memory: { numTensors: number; numBytes: number } | null;
  pausing: boolean;
}

/** An experiment file running (or run) in this page. */
export interface ExperimentView {
  file: string;
  /** The planned run in progress. */
  current: ExperimentEvent | null;
  results: ExperimentResults | null;
  /** The experiment's base run (a share link carries it with the tables). */
  config: RunConfig | null;
}

export class TrainState {
  experiment = $state<ExperimentView | null>(null);
  runs = $state<TrainRunRecord[]>([]);
  active = $state<ActiveRun | null>(null);
  error = $state<DiagnosticJSON | null>(null);
  notice = $state('');
  /**
   * After a run in this page the worker's weights are trained from that run's base model, while the model
   * panel still shows the base model's hash: remembered so the run can resume without a reload.
   */
  #trainedFrom = $state<{ base: string; shownHash: string } | null>(null);

  constructor(private readonly db: () => Promise<LabDatabase>) {
    onModelWorkerError((message) => {
      if (!this.active) return;
      const step = this.active.history.at(-1)?.step ?? 0;
      this.error = {
        severity: 'error', code: 'internal',
        message: `the model worker stopped during training (${message}) after step ${step}: reload the page, load the model and resume; the run continues from its last checkpoint`,
      };
      this.active = null;
      void this.load();
    });
  }

  /** Reads every stored run (page start, and after a run ends). */
  async load(): Promise<void> {
    try {
      this.runs = await listRuns(await this.db());
    } catch (e) {
      this.error = toDiagnostic(e);
    }
  }

  /** A run that says "running" while no run is active in this page was interrupted (reload, crash): it can resume. */
  interrupted(r: TrainRunRecord): boolean {
    return r.status === 'running' && this.active?.runId !== r.id;
  }

  /** Whether the loaded model (the panel shows `shownHash`) can continue this run; the worker checks again. */
  canResume(r: TrainRunRecord, shownHash: string | null): boolean {
    if (shownHash === null) return false;
    return shownHash === r.model.contentHash || (this.#trainedFrom?.base === r.model.contentHash && this.#trainedFrom.shownHash === shownHash);
  }

  async start(req: TrainStartRequest, shownHash: string): Promise<void> {
    let base: string | null = null;
    await this.drive([], (onEvent) => modelWorker().startTraining(req, onEvent), null, (run) => { base = run.model.contentHash; });
    if (base) this.#trainedFrom = { base, shownHash };
  }

  async resume(run: TrainRunRecord, shownHash: string): Promise<void> {
    await this.drive(run.history, (onEvent) => modelWorker().resumeTraining(run.id, onEvent), run.id);
    this.#trainedFrom = { base: run.model.contentHash, shownHash };
  }

  /**
   * Runs an experiment file (and the tokenizer.json of a generated model) in the model worker. The worker
   * loads each run's start model, so `onModel` is told which model is loaded when the experiment ends.
   */
  async runExperiment(files: readonly File[], onModel: (info: ModelInfo | null) => void): Promise<void> {
    if (this.active) return;
    let req;
    try {
      req = await experimentRequest(files);
    } catch (e) {
      this.error = toDiagnostic(e);
      return;
    }
    this.experiment = { file: req.file, current: null, results: null, config: null };
    await this.drive<StoredExperimentOutcome>([], (onEvent) => modelWorker().runExperiment(req, onEvent), null, undefined, (o) => {
      if (o.kind === 'paused') return `Experiment paused in ${o.at} (${o.done} of ${o.total} runs finished); run the same file again to continue from its checkpoint.`;
      this.experiment = { ...this.experiment!, current: null, results: o.results, config: o.config };
      return `Experiment finished: ${Object.keys(o.results.runs).length} runs; the tables are below and every run is in the lab.`;
    });
    onModel(await modelWorker().modelInfo().catch(() => null));
  }

  async pause(): Promise<void> {
    if (!this.active) return;
    this.active = { ...this.active, pausing: true };
    await modelWorker().pauseTraining();
  }

  async cancel(runId: string): Promise<void> {
    const r = await modelWorker().cancelTraining(runId);
    if (!r.ok) this.error = r.error;
    else if (r.value) this.notice = 'Run cancelled; its checkpoint was deleted.';
    await this.load();
  }

  async remove(runId: string): Promise<void> {
    if (this.active?.runId === runId) return;
    try {
      await deleteRun(await this.db(), runId);
    } catch (e) {
      this.error = toDiagnostic(e);
    }
    await this.load();
  }

  private async drive<T = TrainRunRecord>(
    history: HistoryEntry[], call: (onEvent: (e: TrainEvent) => void) => Promise<Outcome<T>>, runId: string | null = null,
    oncreated?: (run: TrainRunRecord) => void, finished: (value: T) => string = (v) => runNotice(v as TrainRunRecord),
  ): Promise<void> {
    if (this.active) return;
    this.error = null;
    this.notice = '';
    this.active = { runId, progress: null, history: [...history], arrivals: history.map(() => 0), memory: null, pausing: false };
    try {
      const r = await call(Comlink.proxy((e: TrainEvent) => {
        if (e.kind === 'run') oncreated?.(e.run);
        this.onEvent(e);
      }));
      if (r.ok) {
        this.notice = finished(r.value);
      } else if (r.error.code === 'cancelled') {
        this.notice = 'Run cancelled; its checkpoint was deleted.';
      } else {
        this.error = r.error;
      }
    } catch (e) {
      this.error = toDiagnostic(e);
    }
    this.active = null;
    await this.load();
  }

  private onEvent(e: TrainEvent): void {
    const a = this.active;
    if (!a) return;
    if (e.kind === 'experiment') {
      if (this.experiment) this.experiment = { ...this.experiment, current: e.event };
    } else if (e.kind === 'run') {
      // An experiment goes from run to run: each shows its own history (a resumed one, what it had).
      this.active = a.runId === e.run.id ? a : { ...a, runId: e.run.id, progress: null, history: [...e.run.history], arrivals: e.run.history.map(() => 0) };
      this.runs = [e.run, ...this.runs.filter((r) => r.id !== e.run.id)];
    } else if (e.kind === 'progress') {
      this.active = { ...a, progress: e.progress };
    } else {
      // A resumed run recomputes nothing before its checkpoint; entries arrive in order from there.
      const keep = a.history.filter((h) => h.step < e.entry.step);
      this.active = {
        ...a, history: [...keep, e.entry], arrivals: [...a.arrivals.slice(0, keep.length), performance.now()], memory: e.memory,
      };
    }
  }
}

function runNotice(run: TrainRunRecord): string {
  return run.status === 'paused' ? `Paused at step ${run.step}; the checkpoint is stored (it survives a reload).`
    : `Finished after ${run.step} steps${run.stoppedEarly ? ' (early stopping)' : ''}: base and trained results below.`;
}
