/**
 * `npm run lab -- eval --model <folder|hub id> <dataset files…> --out results.json
 *   [--run run.trec] [--qrels qrels.trec] [--setting mono|cross|multi] [--depth N|all]
 *   [--batch-size N] [--max-length N] [--backend wasm|cpu|webgpu]
 *   [--query-prefix P] [--passage-prefix P] [--pooling mean|cls]
 *   [--host URL] [--revision R] [--token T] [--cache-dir DIR | --no-cache]`
 *
 * Dense evaluation of any encoder in every setting of the dataset, with the
 * same core as the page (ModelSession.evaluate): embed every query and
 * candidate, score on the chosen tfjs backend, write the same results object
 * as `bm25` (plus the RunConfig) and print the same summary. Outputs and the
 * dataset are checked before the model loads, so a typo costs no download.
 */
import { LabError } from '../../core/errors.ts';
import { ModelSession } from '../../core/model/session.ts';
import { makeRunConfig, type Backend } from '../../core/run-config.ts';
import { protocolOf } from '../../core/eval/protocols.ts';
import { initNodeBackend } from '../../node/backend.ts';
import { hubDefaults, modelFiles, type ModelSourceArgs } from '../../node/model-source.ts';
import { choiceFlag, intFlag, parseFlags } from '../flags.ts';
import { interrupted } from '../outputs.ts';
import { loadEvalData, OUTPUT_FLAGS, outputArgs, stderrProgress, writeEvaluation, type OutputArgs } from '../evaluation.ts';

const USAGE = `usage: npm run lab -- eval --model <folder|hub id> <dataset files or folders…> --out results.json
    [--run run.trec] [--qrels qrels.trec] [--setting mono|cross|multi] [--depth N|all] [--columns id=col,text=col,…] [--lang xx]
    [--batch-size N] [--max-length N] [--backend wasm|cpu|webgpu]
    [--query-prefix P] [--passage-prefix P] [--pooling mean|cls]
    [--host URL] [--revision R] [--token T] [--cache-dir DIR | --no-cache]`;

export interface EvalArgs extends OutputArgs, ModelSourceArgs {
  batchSize: number;
  maxLength?: number;
  backend: Backend;
  queryPrefix?: string;
  passagePrefix?: string;
  pooling?: 'mean' | 'cls';
}

export function parseEvalArgs(argv: string[]): EvalArgs {
  const f = parseFlags(argv, {
    ...OUTPUT_FLAGS, model: 'value', 'batch-size': 'value', 'max-length': 'value', backend: 'value',
    'query-prefix': 'value', 'passage-prefix': 'value', pooling: 'value',
    host: 'value', revision: 'value', token: 'value', 'cache-dir': 'value', 'no-cache': 'boolean',
  });
  const model = f.values.get('model');
  if (!model) throw new LabError('invalid-argument', '--model is required (a model folder or a hub id)');
  const out = outputArgs(f);
  const backend = choiceFlag(f, 'backend', ['wasm', 'cpu', 'webgpu'] as const) ?? 'wasm';
  const pooling = choiceFlag(f, 'pooling', ['mean', 'cls'] as const);
  const maxLength = intFlag(f, 'max-length', 3, 8192);
  const qp = f.values.get('query-prefix');
  const pp = f.values.get('passage-prefix');
  return {
    ...out, model, backend, batchSize: intFlag(f, 'batch-size', 1, 4096) ?? 32,
    ...hubDefaults({ host: f.values.get('host'), revision: f.values.get('revision'), token: f.values.get('token'), cacheDir: f.values.get('cache-dir'), noCache: f.booleans.has('no-cache') }),
    ...(maxLength !== undefined ? { maxLength } : {}), ...(pooling ? { pooling } : {}),
    ...(qp !== undefined ? { queryPrefix: qp } : {}), ...(pp !== undefined ? { passagePrefix: pp } : {}),
  };
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  let args: EvalArgs;
  try {
    args = parseEvalArgs(argv);
  } catch (e) {
    if (e instanceof LabError) {
      console.error(`error: ${e.message}\n${USAGE}`);
      return 2;
    }
    throw e;
  }
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  // Cheap checks first: outputs writable and not inputs, the dataset parses and has queries.
  const data = await loadEvalData(args, { folders: [args.model] });
  const active = await initNodeBackend(args.backend);
  log(`backend: ${active.backend} (${active.reason})`);
  const { files, origin } = await modelFiles(args, log);
  const session = new ModelSession(() => active);
  try {
    const info = await session.load(files, origin, { ...(args.maxLength !== undefined ? { maxLength: args.maxLength } : {}), ...(args.pooling ? { pooling: args.pooling } : {}) });
    // The model's own prompts unless given (E5: "query: " / "passage: "); none when it declares none.
    const tokenization = {
      maxLength: info.maxLength,
      queryPrefix: args.queryPrefix ?? info.prompts.query ?? '',
      passagePrefix: args.passagePrefix ?? info.prompts.passage ?? info.prompts.document ?? '',
      ...(args.pooling ? { pooling: args.pooling } : {}),
    };
    log(`model: ${info.label}, ${info.modelType}, ${info.layers} layers, dim ${info.dim}, ${info.pooling} pooling, max length ${info.maxLength}, prefixes ${JSON.stringify(tokenization.queryPrefix)} / ${JSON.stringify(tokenization.passagePrefix)}`);
    const config = makeRunConfig({
      version: 1, kind: 'eval', model: session.modelSource(), datasets: [data.ref], tokenization, backend: args.backend,
      eval: { settings: [...protocolOf(data.dataset).settings], depth: args.depth, batchSize: args.batchSize },
    });
    await writeEvaluation(args, data, 'dense', async (sink) => {
      const r = await session.evaluate(data.dataset, {
        tokenization, batchSize: args.batchSize, scorer: `tfjs-${active.backend}`, config, onProgress: stderrProgress(),
        signal: interrupted.signal,
        ...(sink ? { run: sink } : {}),
      });
      log(`embedded ${data.dataset.queries.length + data.dataset.passages.length} texts at ${r.embeddings.textsPerSecond.toFixed(1)} texts/s`);
      return r.results;
    });
  } finally {
    session.dispose();
  }
  return 0;
}
