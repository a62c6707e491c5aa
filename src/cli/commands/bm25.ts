/**
 * `npm run lab -- bm25 <dataset files…> --out results.json [--run run.trec]
 *   [--qrels qrels.trec] [--setting mono|cross|multi] [--depth N|all]`
 *
 * The BM25 baseline (k1 0.9, b 0.4) in every setting of the dataset
 * (LAReQA: mono, cross, multi + language bias; MIRACL: mono). Writes the
 * results object and, when asked, one setting's TREC run and qrels — by
 * default the multilingual pool for LAReQA data and the monolingual run for
 * MIRACL, top 1000 per query (src/cli/evaluation.ts).
 */
import { LabError } from '../../core/errors.ts';
import { makeRunConfig } from '../../core/run-config.ts';
import { bm25Model } from '../../core/bm25/search.ts';
import { BM25_DEFAULTS } from '../../core/bm25/index.ts';
import { evaluateDataset } from '../../core/eval/evaluate.ts';
import { protocolOf } from '../../core/eval/protocols.ts';
import { parseFlags } from '../flags.ts';
import { interrupted } from '../outputs.ts';
import { loadEvalData, OUTPUT_FLAGS, outputArgs, stderrProgress, writeEvaluation, type OutputArgs } from '../evaluation.ts';

const USAGE =
  'usage: npm run lab -- bm25 <dataset files or folders…> --out results.json [--run run.trec] [--qrels qrels.trec] [--setting mono|cross|multi] [--depth N|all] [--columns id=col,text=col,…] [--lang xx]';

/** Parses argv; returns a usage message instead of throwing for bad flags. */
export function parseBm25Args(argv: string[]): OutputArgs | string {
  try {
    return outputArgs(parseFlags(argv, OUTPUT_FLAGS));
  } catch (e) {
    if (e instanceof LabError) return e.message;
    throw e;
  }
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const args = parseBm25Args(argv);
  if (typeof args === 'string') {
    console.error(`${args}\n${USAGE}`);
    return 2;
  }
  const data = await loadEvalData(args);
  const config = makeRunConfig({
    version: 1, kind: 'bm25', model: { source: 'bm25', k1: BM25_DEFAULTS.k1, b: BM25_DEFAULTS.b }, datasets: [data.ref],
    tokenization: { maxLength: 128, queryPrefix: '', passagePrefix: '' },
    backend: 'cpu', eval: { settings: [...protocolOf(data.dataset).settings], depth: args.depth },
  });
  await writeEvaluation(args, data, 'bm25', async (sink) => {
    const results = await evaluateDataset(data.dataset, bm25Model(BM25_DEFAULTS), {
      ...(sink ? { run: sink } : {}),
      signal: interrupted.signal,
      onProgress: stderrProgress(),
    });
    results.description.config = config;
    return results;
  });
  return 0;
}
