/**
 * An experiment (src/core/experiment/schema.ts) run in the page: every planned
 * (sampler, seed) run is a stored training run on the browser's stored datasets,
 * from the experiment's start model, then the same aggregate as `lab experiment`
 * (mean ± sd over seeds, paired tests, language groups). Like the command line it
 * resumes: a planned run already finished is skipped, an interrupted one continues
 * from its checkpoint, so after a pause or a reload the same file continues
 * where it stopped. Datasets are matched by their shards' SHA-256, never by name.
 */
import { LabError } from '../core/errors.ts';
import type { Progress } from '../core/job.ts';
import type { DatasetRef, RunConfig } from '../core/run-config.ts';
import { aggregateExperiment, type ExperimentResults } from '../core/experiment/aggregate.ts';
import { parseExperiment, planRuns, runIdentity, type PlannedRun } from '../core/experiment/schema.ts';
import type { EvalResults } from '../core/eval/results.ts';
import type { ModelSession } from '../core/model/session.ts';
import type { HistoryEntry } from '../core/train/trainer.ts';
import type { LabDatabase } from './db.ts';
import { listDatasets } from './datasets.ts';
import type { DatasetRecord, TrainRunRecord } from './schema.ts';
import { createStoredRunOf, runStoredTraining, type StoredTrainingOptions } from './stored-training.ts';
import { isResumable, listRuns } from './train-runs.ts';

export type ExperimentRunStatus = 'skipped' | 'training' | 'resuming';

export interface ExperimentEvent {
  index: number;
  total: number;
  /** `<sampler>-seed<seed>`, as `lab experiment` names its run folders. */
  id: string;
  status: ExperimentRunStatus;
}

export interface StoredExperimentOptions extends Omit<StoredTrainingOptions, 'onStep' | 'onProgress'> {
  /** Puts the run's start weights in the session (the experiment's model, drawn with the run's seed when generated). */
  loadStartModel(run: PlannedRun): Promise<void>;
  onRunEvent?(e: ExperimentEvent): void;
  /** The stored run a planned run became (created or found), before it trains. */
  onStoredRun?(run: TrainRunRecord): void;
  onProgress?(p: Progress): void;
  onStep?(entry: HistoryEntry): void;
}

export type StoredExperimentOutcome =
  | { kind: 'done'; results: ExperimentResults; runIds: string[]; /** The experiment's base run, for a share link. */ config: RunConfig }
  | { kind: 'paused'; at: string; done: number; total: number };

/** The stored dataset each of the experiment's dataset refs names (same shard hashes), or an error saying what to import. */
export function matchStoredDatasets(refs: readonly DatasetRef[], stored: readonly DatasetRecord[], path: string): string[] {
  return refs.map((ref, i) => {
    const want = [...new Set(ref.shards.map((s) => s.sha256))].sort().join(',');
    const hit = stored.find((d) => [...new Set(d.shards.map((s) => s.sha256))].sort().join(',') === want);
    if (!hit) {
      const names = ref.shards.map((s) => s.name.split(/[\\/]/).pop()).join(', ');
      throw new LabError('invalid-argument', `the experiment's dataset "${ref.name}" is not stored in this browser`, { path: `${path}[${i}]` },
        `import exactly its ${ref.shards.length} shard(s) (${names.length > 200 ? `${names.slice(0, 200)}…` : names}; matched by SHA-256) as one dataset first`);
    }
    return hit.id;
  });
}

export async function runStoredExperiment(db: LabDatabase, session: ModelSession, raw: unknown, file: string, o: StoredExperimentOptions): Promise<StoredExperimentOutcome> {
  const experiment = parseExperiment(raw, file);
  const planned = planRuns(experiment);
  const datasets = await listDatasets(db);
  const base = planned[0]!.config;
  const trainIds = matchStoredDatasets(base.train.data, datasets, 'run.train.data');
  const evalIds = matchStoredDatasets(base.datasets, datasets, 'run.datasets');
  const done: { id: string; sampler: string; seed: number; trained: EvalResults[] }[] = [];
  const runIds: string[] = [];
  // Read once: every planned run has its own identity, so runs created below are never looked up again.
  const stored = new Map<string, TrainRunRecord[]>();
  for (const r of await listRuns(db)) {
    const k = runIdentity(r.config);
    stored.set(k, [...(stored.get(k) ?? []), r]);
  }
  for (const [index, p] of planned.entries()) {
    const mine = stored.get(runIdentity(p.config)) ?? [];
    let run = mine.find((r) => r.status === 'done') ?? mine.find((r) => isResumable(r));
    const event = (status: ExperimentRunStatus): void => o.onRunEvent?.({ index, total: planned.length, id: p.id, status });
    if (run?.status !== 'done') {
      event(run ? 'resuming' : 'training');
      await o.loadStartModel(p);
      run ??= await createStoredRunOf(db, session, p.config, trainIds, evalIds);
      o.onStoredRun?.(run);
      run = await runStoredTraining(db, session, run.id, o);
      if (run.status === 'paused') return { kind: 'paused', at: p.id, done: index, total: planned.length };
    } else {
      event('skipped');
    }
    if (!run.trained) throw new LabError('internal', `run ${p.id} finished without trained results`);
    done.push({ id: p.id, sampler: p.variant.name, seed: p.seed, trained: run.trained });
    runIds.push(run.id);
  }
  return { kind: 'done', results: aggregateExperiment(experiment, done), runIds, config: experiment.run };
}
