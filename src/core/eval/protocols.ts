/**
 * The dataset-kind registry: what each dataset format can be evaluated in.
 * The one place that knows LAReQA data has three settings and language bias,
 * MIRACL only the monolingual one, and training pairs none — read by the
 * evaluator, the CLI (bm25, eval), the store and the page.
 */
import { LabError } from '../errors.ts';
import type { Dataset, DatasetFormat } from '../dataset/types.ts';
import type { Setting } from '../run-config.ts';

export interface EvalProtocol {
  /** Settings this format is evaluated in, in display order. */
  settings: readonly Setting[];
  /** The setting a run file defaults to (`--run` without `--setting`). */
  defaultRunSetting: Setting;
  /** Whether results carry a language-bias (rank distance) block. */
  languageBias: boolean;
  /** The headline measures of this format (the page's cards, the CLI summary). */
  headline: readonly ('map' | 'ndcg_cut_10' | 'recall_100')[];
}

export const EVAL_PROTOCOLS: Readonly<Partial<Record<DatasetFormat, EvalProtocol>>> = {
  lareqa: { settings: ['mono', 'cross', 'multi'], defaultRunSetting: 'multi', languageBias: true, headline: ['map'] },
  miracl: { settings: ['mono'], defaultRunSetting: 'mono', languageBias: false, headline: ['ndcg_cut_10', 'recall_100'] },
};

/** Datasets with queries and judgments. */
export function hasEvaluation(format: string): boolean {
  return format in EVAL_PROTOCOLS;
}

/** Settings a format is evaluated in (none for training pairs). */
export function settingsOf(format: string): readonly Setting[] {
  return EVAL_PROTOCOLS[format as DatasetFormat]?.settings ?? [];
}

/**
 * MIRACL / BEIR data from a parallel source (the same ids in every language): MIRACL's measures, LAReQA's
 * settings, since a translation of the relevant document is relevant in every language.
 */
export const PARALLEL_MIRACL: EvalProtocol = { settings: ['mono', 'cross', 'multi'], defaultRunSetting: 'multi', languageBias: true, headline: ['ndcg_cut_10', 'recall_100'] };

/** The protocol of a dataset, or a LabError saying why it cannot be evaluated. */
export function protocolOf(dataset: Pick<Dataset, 'name' | 'format' | 'queries'> & { parallel?: true }): EvalProtocol {
  const p = dataset.format === 'miracl' && dataset.parallel ? PARALLEL_MIRACL : EVAL_PROTOCOLS[dataset.format];
  if (!p) {
    throw new LabError('invalid-argument', `dataset ${dataset.name} is ${dataset.format} data, which has no queries and judgments to evaluate`, {}, 'LAReQA (XQuAD-R, MLQA-R) or MIRACL files');
  }
  if (dataset.queries.length === 0) {
    throw new LabError('empty-file', `dataset ${dataset.name} has no queries to evaluate`, {}, 'at least one query with a relevant candidate');
  }
  return p;
}

/** Checks a run-file setting against the dataset's protocol. */
export function checkSetting(dataset: Pick<Dataset, 'name' | 'format' | 'queries'> & { parallel?: true }, setting: Setting): void {
  const p = protocolOf(dataset);
  if (!p.settings.includes(setting)) {
    throw new LabError('invalid-argument', `${dataset.format} data has only the ${p.settings.join(', ')} setting${p.settings.length === 1 ? '' : 's'}, not "${setting}"`, {}, p.settings.join(' or '));
  }
}
