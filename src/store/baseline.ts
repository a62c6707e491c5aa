/**
 * The BM25 baseline of a stored dataset, as the evaluate worker runs it:
 * load the parsed dataset, evaluate every setting, cache the results beside
 * the dataset; and the export files (one setting's TREC run, its qrels) built
 * as Blobs from chunks, so a 13,090-query x 1000-deep run (~600 MB of text)
 * never has to exist as one JavaScript string.
 */
import { BM25_DEFAULTS } from '../core/bm25/index.ts';
import { bm25Model } from '../core/bm25/search.ts';
import { LabError } from '../core/errors.ts';
import type { Dataset } from '../core/dataset/types.ts';
import { evaluateDataset, settingQrels } from '../core/eval/evaluate.ts';
import type { EvalResults } from '../core/eval/results.ts';
import { formatQrelsLines, formatRunLines, runTag } from '../core/eval/trec.ts';
import type { Setting } from '../core/run-config.ts';
import type { JobControl } from '../core/job.ts';
import { checkSetting, settingsOf } from '../core/eval/protocols.ts';
import { makeRunConfig } from '../core/run-config.ts';
import type { LabDatabase } from './db.ts';
import { loadDataset } from './datasets.ts';
import { saveResults } from './results.ts';
import { datasetRefOf } from './dataset-ref.ts';

export const BASELINE_MODEL = 'bm25';

/** BM25 jobs take the one job control (cancel signal, Progress events). */
export type BaselineOptions = JobControl;

export interface RunExportOptions extends BaselineOptions {
  setting: Setting;
  /** Documents per query; 'all' = full ranking. Default 1000, as the CLI. */
  depth?: number | 'all';
}

export { hasEvaluation, settingsOf } from '../core/eval/protocols.ts';

async function datasetOf(db: LabDatabase | undefined, source: string | Dataset): Promise<Dataset> {
  if (typeof source !== 'string') return source;
  if (!db) throw new LabError('internal', 'no database to load the dataset from');
  return loadDataset(db, source);
}

/**
 * Evaluates BM25 (k1 0.9, b 0.4) on every setting of a dataset. Given a
 * stored dataset's id, the results are cached under it (and a dataset removed
 * meanwhile stores nothing); given a Dataset, they are only returned.
 */
export async function runBaseline(db: LabDatabase | undefined, source: string | Dataset, opts: BaselineOptions = {}): Promise<EvalResults> {
  const dataset = await datasetOf(db, source);
  const results = await evaluateDataset(dataset, bm25Model(BM25_DEFAULTS), {
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
  if (typeof source === 'string' && db) {
    // Stored results carry the run that made them, as lab bm25's do: the dataset by its shards' hashes.
    const rec = await db.get('datasets', source);
    if (rec) {
      results.description.config = makeRunConfig({
        version: 1, kind: 'bm25', model: { source: 'bm25', k1: BM25_DEFAULTS.k1, b: BM25_DEFAULTS.b }, backend: 'cpu',
        datasets: [datasetRefOf(rec)],
        tokenization: { maxLength: 128, queryPrefix: '', passagePrefix: '' },
        eval: { settings: [...settingsOf(dataset.format)] },
      });
    }
    await saveResults(db, source, BASELINE_MODEL, results);
  }
  return results;
}

/** Collects text into Blob parts of about `chunk` characters. */
export class BlobBuilder {
  private readonly parts: Blob[] = [];
  private pending: string[] = [];
  private pendingLength = 0;
  constructor(private readonly type = 'text/plain', private readonly chunk = 1 << 20) {}
  write(s: string): void {
    this.pending.push(s);
    this.pendingLength += s.length;
    if (this.pendingLength >= this.chunk) this.flush();
  }
  private flush(): void {
    if (this.pending.length === 0) return;
    this.parts.push(new Blob(this.pending));
    this.pending = [];
    this.pendingLength = 0;
  }
  blob(): Blob {
    this.flush();
    return new Blob(this.parts, { type: this.type });
  }
}

/**
 * One setting's BM25 run as a TREC file (`qid Q0 docid rank score tag`), top
 * `depth` per query. The ranking is the evaluation's own (same tie rule), so
 * trec_eval on this file with {@link baselineQrelsBlob}'s qrels reproduces the
 * app's numbers, up to AP's truncation at `depth`.
 */
export async function baselineRunBlob(db: LabDatabase | undefined, source: string | Dataset, opts: RunExportOptions): Promise<Blob> {
  const dataset = await datasetOf(db, source);
  checkSetting(dataset, opts.setting);
  const out = new BlobBuilder();
  const tag = runTag(BASELINE_MODEL, opts.setting);
  await evaluateDataset(dataset, bm25Model(BM25_DEFAULTS), {
    settings: [opts.setting],
    run: { setting: opts.setting, depth: opts.depth ?? 1000, write: (qid, ids, scores) => out.write(formatRunLines(qid, ids, scores, tag)) },
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
  return out.blob();
}

/** The qrels matching one setting's run (cross-setting qids `{query id}@{candidate language}`). */
export async function baselineQrelsBlob(db: LabDatabase | undefined, source: string | Dataset, setting: Setting): Promise<Blob> {
  const dataset = await datasetOf(db, source);
  checkSetting(dataset, setting);
  const out = new BlobBuilder();
  const entries = settingQrels(dataset, setting);
  for (let i = 0; i < entries.length; i += 10_000) out.write(formatQrelsLines(entries.slice(i, i + 10_000)));
  return out.blob();
}
