/**
 * What `lab bm25` and `lab eval` share: the dataset read from files, the
 * RunConfig's dataset reference, the outputs (results JSON, one setting's
 * TREC run and its qrels) and the summary printed on stdout. The commands
 * differ only in the model that scores.
 */
import type { Dataset } from '../core/dataset/types.ts';
import { settingQrels, type RunSink } from '../core/eval/evaluate.ts';
import { checkSetting, protocolOf } from '../core/eval/protocols.ts';
import { resultsToJSON, type EvalResults } from '../core/eval/results.ts';
import { formatQrelsLines, formatRunLines, runTag } from '../core/eval/trec.ts';
import type { DatasetRef, Setting } from '../core/run-config.ts';
import type { Progress } from '../core/job.ts';
import { formatDuration } from '../core/format.ts';
import { choiceFlag, columnsFlag, depthFlag, type FlagSpec, type ParsedFlags } from './flags.ts';
import type { ParquetColumns } from '../core/dataset/parse-parquet.ts';
import { checkLanguage } from '../core/dataset/languages.ts';
import { datasetFromShards, expandPaths, parseShardsFromPaths, perFileReading } from './load-files.ts';
import { AtomicWriter, checkOutputs, writeAtomic } from './outputs.ts';
import { LabError } from '../core/errors.ts';

/** The flags every evaluating command takes. */
export const OUTPUT_FLAGS: FlagSpec = { out: 'value', run: 'value', qrels: 'value', setting: 'value', depth: 'value', columns: 'value', lang: 'value' };

export interface OutputArgs {
  files: string[];
  out: string;
  run?: string;
  qrels?: string;
  setting?: Setting;
  depth: number | 'all';
  /** Parquet column roles (`--columns`); each Parquet file given takes those whose columns it has. */
  columns?: ParquetColumns;
  /** `--lang`: the language of the files whose name and folder give none (Hugging Face's corpus/, queries/). */
  lang?: string;
}

export function outputArgs(f: ParsedFlags): OutputArgs {
  if (f.positional.length === 0) throw new LabError('invalid-argument', 'no dataset files given');
  const out = f.values.get('out');
  if (!out) throw new LabError('invalid-argument', '--out results.json is required');
  const setting = choiceFlag(f, 'setting', ['mono', 'cross', 'multi'] as const);
  const run = f.values.get('run');
  const qrels = f.values.get('qrels');
  const columns = columnsFlag(f);
  const given = f.values.get('lang');
  const lang = given === undefined ? undefined : checkLanguage(given, {}, 'language code for --lang');
  return {
    files: f.positional, out, depth: depthFlag(f),
    ...(run ? { run } : {}), ...(qrels ? { qrels } : {}), ...(setting ? { setting } : {}), ...(columns ? { columns } : {}), ...(lang ? { lang } : {}),
  };
}

export interface LoadedEvalData {
  files: string[];
  dataset: Dataset;
  ref: DatasetRef;
  /** The setting of the run file (the protocol's default unless --setting). */
  setting: Setting;
}

/** Checks the outputs, then reads and validates the dataset, before any model work. */
export async function loadEvalData(args: OutputArgs, extraInputs: { folders?: string[] } = {}): Promise<LoadedEvalData> {
  const files = expandPaths(args.files);
  if (files.length === 0) throw new LabError('invalid-argument', `no dataset files in ${args.files.join(', ')}`, {}, 'LAReQA or MIRACL files');
  const outputs = [{ flag: '--out', path: args.out }, ...(args.run ? [{ flag: '--run', path: args.run }] : []), ...(args.qrels ? [{ flag: '--qrels', path: args.qrels }] : [])];
  checkOutputs(outputs, { files, folders: [...args.files.filter((f) => !files.includes(f)), ...(extraInputs.folders ?? [])] });
  // Each shard's SHA-256 comes from the parsing pass itself: files are read once (a second read only to hash them
  // failed past 2 GiB).
  const { columns, langs } = await perFileReading(files, args);
  const shards = await parseShardsFromPaths(files, { columnsOf: (p) => columns.get(p), langOf: (p) => langs.get(p) });
  const dataset = datasetFromShards(files, shards);
  const protocol = protocolOf(dataset);
  const setting = args.setting ?? protocol.defaultRunSetting;
  checkSetting(dataset, setting);
  const ref: DatasetRef = {
    name: dataset.name, split: 'all',
    shards: shards.map((s, i) => ({
      name: s.name, sha256: s.sha256,
      ...(columns.has(files[i]!) ? { columns: columns.get(files[i]!)! } : {}),
      ...(langs.has(files[i]!) && 'lang' in s && s.lang ? { lang: s.lang } : {}),
    })),
  };
  return { files, dataset, ref, setting };
}

/** Progress lines on stderr, at most every 2 s per phase. */
export function stderrProgress(): (p: Progress) => void {
  let last = 0;
  let phase = '';
  return (p) => {
    const now = Date.now();
    if (p.phase === phase && now - last < 2000 && p.done !== p.total) return;
    last = now;
    phase = p.phase;
    const rate = p.rate ? `, ${p.rate.toFixed(p.rate < 10 ? 1 : 0)} ${p.unit}/s` : '';
    const eta = p.etaSeconds !== undefined && p.done < p.total ? `, ${formatDuration(p.etaSeconds)} left` : '';
    process.stderr.write(`${p.phase}: ${p.done}/${p.total} ${p.unit}${rate}${eta}\n`);
  };
}

/**
 * Runs the evaluation with a run sink when --run was given, then writes the
 * outputs (run, qrels, results) and prints the summary. The run file is
 * streamed to its temporary name and only renamed once everything succeeded.
 */
export async function writeEvaluation(
  args: OutputArgs, data: LoadedEvalData, modelTag: string,
  evaluate: (run: RunSink | undefined) => Promise<EvalResults>,
): Promise<EvalResults> {
  const runFile = args.run ? new AtomicWriter(args.run) : null;
  const tag = runTag(modelTag, data.setting);
  const sink: RunSink | undefined = runFile
    ? { setting: data.setting, depth: args.depth, write: (qid, ids, scores) => runFile.write(formatRunLines(qid, ids, scores, tag)) }
    : undefined;
  try {
    const results = await evaluate(sink);
    if (args.qrels) writeAtomic(args.qrels, formatQrelsLines(settingQrels(data.dataset, data.setting)));
    writeAtomic(args.out, resultsToJSON(results) + '\n');
    runFile?.commit();
    console.log(JSON.stringify(summary(args, data, results), null, 2));
    return results;
  } catch (e) {
    runFile?.abort();
    throw e;
  }
}

/** The summary both commands print: macro mAP per setting, MIRACL's nDCG@10 / Recall@100, rank distance. */
export function summary(args: OutputArgs, data: LoadedEvalData, results: EvalResults): Record<string, unknown> {
  return {
    dataset: data.dataset.name,
    model: results.description.model,
    out: args.out,
    ...(args.run ? { run: args.run, setting: data.setting, depth: args.depth } : {}),
    ...(args.qrels ? { qrels: args.qrels } : {}),
    macro_map: Object.fromEntries(Object.entries(results.settings).map(([s, r]) => [s, r.macro.map])),
    ...(data.dataset.format === 'miracl' && results.settings.mono
      ? { macro_ndcg_cut_10: results.settings.mono.macro.ndcg_cut_10, macro_recall_100: results.settings.mono.macro.recall_100 }
      : {}),
    ...(results.languageBias ? { rank_distance_macro: results.languageBias.macro } : {}),
  };
}
