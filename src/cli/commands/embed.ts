/**
 * `npm run lab -- embed --model <hub id or folder> --input sentences.txt --out embeddings.json
 *    [--pooling mean|cls] [--prefix "query: "] [--host URL] [--revision R] [--max-length N]
 *    [--batch-size N] [--backend wasm|cpu] [--token T] [--cache-dir D | --no-cache]`
 *
 * One sentence per input line (UTF-8, \n or \r\n; a final newline ends the last
 * line, it does not add one). An EMPTY line is an error naming its line number:
 * silently embedding or skipping it would shift every later row against the
 * input. Writes `{"dim": d, "embeddings": [[…], …]}`, one row per line, pooled
 * and normalized as the model's files say (--pooling overrides the pooling).
 *
 * --model is a folder when such a folder exists (config.json, model.safetensors,
 * tokenizer.json, …), else a hub id fetched from {host}/{id}/resolve/{revision}/…
 * (host: --host, else $HF_ENDPOINT, else https://huggingface.co), cached on disk
 * (--cache-dir, else $POLYGLOT_LAB_CACHE, else ~/.cache/polyglot-lab/hub) and
 * reused offline. Gated models: --token or $HF_TOKEN.
 */
import { readFile } from 'node:fs/promises';
import { LabError } from '../../core/errors.ts';
import type { Pooling } from '../../core/run-config.ts';
import { embedTexts, loadTextModel, type TextModel } from '../../core/tokenize/text-model.ts';
import { initNodeBackend } from '../../node/backend.ts';
import { hubDefaults, isFolder, modelFiles, nodeFolderProvider, type ModelSourceArgs } from '../../node/model-source.ts';
import { checkOutputs, writeAtomic } from '../outputs.ts';
import { choiceFlag, intFlag, parseFlags } from '../flags.ts';

const USAGE = `usage: npm run lab -- embed --model <hub id or folder> --input sentences.txt --out embeddings.json
    [--pooling mean|cls] [--prefix "query: "] [--host URL] [--revision R] [--max-length N]
    [--batch-size N] [--backend wasm|cpu] [--token T] [--cache-dir DIR | --no-cache]`;

export interface EmbedArgs {
  model: string;
  input: string;
  out: string;
  pooling?: Pooling;
  prefix: string;
  host: string;
  revision: string;
  maxLength?: number;
  batchSize: number;
  backend: 'wasm' | 'cpu';
  token?: string;
  cacheDir?: string;
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  let args: EmbedArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof LabError) {
      console.error(`error: ${e.message}\n${USAGE}`);
      return 2;
    }
    throw e;
  }
  const backend = await initNodeBackend(args.backend);
  console.error(`backend: ${backend.backend} (${backend.reason})`);
  // Refused before anything loads: an output that is the input, lies inside the model folder, or cannot be written.
  checkOutputs([{ flag: '--out', path: args.out }], { files: [args.input], folders: isFolder(args.model) ? [args.model] : [] });
  const sentences = parseSentences(await readInput(args.input), args.input);
  const model = await loadModel(args, (line) => console.error(line));
  try {
    const declared = Object.entries(model.encoder.prompts);
    if (declared.length > 0 && args.prefix === '') {
      console.error(`note: the model declares prompts ${declared.map(([k, v]) => `${k}="${v}"`).join(', ')}; pass --prefix to use one`);
    }
    const vectors = await embedTexts(model, sentences, { prefix: args.prefix, batchSize: args.batchSize });
    writeAtomic(args.out, JSON.stringify({ dim: model.encoder.dim, embeddings: vectors.map((v) => Array.from(v)) }));
    console.error(`wrote ${vectors.length} embeddings of dim ${model.encoder.dim} (${model.encoder.pooling} pooling, max length ${model.maxLength}) to ${args.out}`);
  } finally {
    model.encoder.dispose();
  }
  return 0;
}

export function parseArgs(argv: string[]): EmbedArgs {
  const f = parseFlags(argv, {
    model: 'value', input: 'value', out: 'value', pooling: 'value', prefix: 'value', host: 'value', revision: 'value',
    'max-length': 'value', 'batch-size': 'value', backend: 'value', token: 'value', 'cache-dir': 'value', 'no-cache': 'boolean',
  });
  if (f.positional.length) throw new LabError('invalid-argument', `unknown argument "${f.positional[0]}"`);
  for (const req of ['model', 'input', 'out']) if (!f.values.get(req)) throw new LabError('invalid-argument', `--${req} is required`);
  const pooling = choiceFlag(f, 'pooling', ['mean', 'cls'] as const);
  const maxLength = intFlag(f, 'max-length', 3);
  const v = (k: string) => f.values.get(k);
  return {
    model: v('model')!, input: v('input')!, out: v('out')!, prefix: v('prefix') ?? '',
    ...hubDefaults({ host: v('host'), revision: v('revision'), token: v('token'), cacheDir: v('cache-dir'), noCache: f.booleans.has('no-cache') }),
    batchSize: intFlag(f, 'batch-size', 1) ?? 32, backend: choiceFlag(f, 'backend', ['wasm', 'cpu'] as const) ?? 'wasm',
    ...(pooling ? { pooling } : {}), ...(maxLength !== undefined ? { maxLength } : {}),
  };
}


async function readInput(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new LabError('invalid-argument', `cannot read the input: ${(e as Error).message}`, { file: path }, 'a UTF-8 text file, one sentence per line');
  }
}

/** One sentence per line; empty lines are errors with their line number (see the header). */
export function parseSentences(text: string, file: string): string[] {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.length === 0) throw new LabError('empty-file', 'has no sentences', { file }, 'one sentence per line');
  const lines = body.replace(/\r?\n$/, '').split(/\r?\n/);
  lines.forEach((l, i) => {
    if (l.trim() === '') {
      throw new LabError('invalid-argument', 'is empty', { file, line: i + 1 }, 'one non-empty sentence per line (remove blank lines)');
    }
  });
  return lines;
}

/** Loads a model from a folder or the hub (through the disk cache). */
export async function loadModel(args: ModelSourceArgs & { pooling?: Pooling; maxLength?: number }, log: (line: string) => void = () => {}): Promise<TextModel> {
  const { files } = await modelFiles(args, log);
  return loadTextModel(files, { ...(args.pooling ? { pooling: args.pooling } : {}), ...(args.maxLength !== undefined ? { maxLength: args.maxLength } : {}) });
}

export { nodeFolderProvider };
