/**
 * `npm run lab -- train --config run.json --out dir/ [--backend wasm|cpu|webgpu]`
 * `npm run lab -- train --resume dir/ [--backend …]`
 *
 * Hybrid batch training headless, with the core the page will run
 * (src/core/train): the RunConfig (kind "train") names the model, the
 * training data (train.data, usually split "train") and the evaluation
 * datasets (datasets, usually split "test"); files are found relative to the
 * config and checked against their SHA-256. Writes into dir/:
 *   config.json      the parsed RunConfig (defaults filled in)
 *   history.jsonl    one object per step: step, loss, alpha, lr, batch_type, grad_norm, examples
 *   checkpoint/      state.json + weights.safetensors + moments.safetensors, every train.checkpointEvery steps
 *   results.json     {"base": [...], "trained": [...]} results objects of the evaluation datasets
 *   model/           the trained model as a Hugging Face / sentence-transformers folder
 * `--resume dir/` continues from dir/checkpoint with dir/config.json; the
 * steps after the checkpoint are recomputed, and equal an uninterrupted run.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LabError } from '../../core/errors.ts';
import { parseRunConfig, type Backend, type RunConfig } from '../../core/run-config.ts';
import { evaluateTextModel } from '../../core/eval/dense.ts';
import type { EvalResults } from '../../core/eval/results.ts';
import { exportEncoder } from '../../core/encoder/export.ts';
import { parseSafetensors, writeSafetensors } from '../../core/encoder/safetensors.ts';
import { generateEncoderFiles } from '../../core/model/generate.ts';
import type { FileProvider } from '../../core/hub/model-files.ts';
import { loadTextModel, type TextModel } from '../../core/tokenize/text-model.ts';
import { Trainer, type TrainerCheckpoint } from '../../core/train/trainer.ts';
import { asTrainConfig, prepareTrainingData, runTraining, trainerOptions } from '../../core/train/run.ts';
import type { Dataset } from '../../core/dataset/types.ts';
import { formatDuration } from '../../core/format.ts';
import { initNodeBackend } from '../../node/backend.ts';
import { hubDefaults, modelFiles } from '../../node/model-source.ts';
import { datasetOfRef, readConfigFile, verifiedFile } from '../../node/run-inputs.ts';
import { choiceFlag, commandFlags } from '../flags.ts';
import { interrupted, writeAtomic } from '../outputs.ts';

const USAGE = `usage: npm run lab -- train --config run.json --out dir/ [--backend wasm|cpu|webgpu]
       npm run lab -- train --resume dir/ [--backend wasm|cpu|webgpu]`;

export async function loadModel(config: RunConfig, configDir: string): Promise<{ model: TextModel; files: FileProvider; label: string }> {
  const m = config.model;
  let files: FileProvider;
  let label: string;
  if (m.source === 'generated') {
    const tok = await verifiedFile(m.tokenizer.name, m.tokenizer.sha256, configDir, 'model.tokenizer');
    files = generateEncoderFiles(m.architecture, new Uint8Array(readFileSync(tok)), config.seed).provider;
    label = `generated-bert-L${m.architecture.layers}-H${m.architecture.hidden}`;
  } else if (m.source === 'hub') {
    const r = await modelFiles({ model: m.id, ...hubDefaults({ host: m.host, revision: m.revision }) }, (l) => process.stderr.write(`${l}\n`));
    files = r.files;
    label = r.origin.label;
  } else if (m.source === 'folder') {
    const r = await modelFiles({ model: resolve(configDir, m.name), ...hubDefaults({}) });
    files = r.files;
    label = m.name;
  } else {
    throw new LabError('invalid-argument', 'a train run needs an encoder, not bm25', { path: 'model.source' }, 'generated, hub or folder');
  }
  const model = await loadTextModel(files, { maxLength: config.tokenization.maxLength, ...(config.tokenization.pooling ? { pooling: config.tokenization.pooling } : {}) });
  return { model, files, label };
}

async function evaluateAll(model: TextModel, name: string, datasets: Dataset[], config: RunConfig, backend: Backend, training: NonNullable<EvalResults['description']['training']>): Promise<EvalResults[]> {
  const out: EvalResults[] = [];
  for (const ds of datasets) {
    const r = await evaluateTextModel(model, ds, {
      name, scorer: `tfjs-${backend}`, tokenization: config.tokenization, batchSize: config.eval.batchSize, signal: interrupted.signal,
    });
    r.results.description.config = config;
    r.results.description.training = training;
    out.push(r.results);
  }
  return out;
}

function writeCheckpoint(dir: string, c: TrainerCheckpoint): void {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const { weights, moments, history, ...state } = c;
  writeFileSync(join(tmp, 'state.json'), `${JSON.stringify({ ...state, historyLength: history.length })}\n`);
  writeFileSync(join(tmp, 'weights.safetensors'), writeSafetensors(Object.entries(weights).map(([name, data]) => ({ name, shape: [data.length], data, dtype: 'F32' as const }))));
  writeFileSync(join(tmp, 'moments.safetensors'), writeSafetensors(Object.entries(moments).flatMap(([name, mv]) => [
    { name: `m.${name}`, shape: [mv.m.length], data: mv.m, dtype: 'F32' as const }, { name: `v.${name}`, shape: [mv.v.length], data: mv.v, dtype: 'F32' as const },
  ])));
  // Swap in one rename: an interruption leaves either the old checkpoint or the new one, never half of each.
  const old = `${dir}.old-${process.pid}`;
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(tmp, dir);
  rmSync(old, { recursive: true, force: true });
}

function readCheckpoint(dir: string, history: TrainerCheckpoint['history']): TrainerCheckpoint {
  const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as Omit<TrainerCheckpoint, 'weights' | 'moments' | 'history'> & { historyLength: number };
  const w = parseSafetensors(new Uint8Array(readFileSync(join(dir, 'weights.safetensors'))), 'weights.safetensors');
  const m = parseSafetensors(new Uint8Array(readFileSync(join(dir, 'moments.safetensors'))), 'moments.safetensors');
  const weights: TrainerCheckpoint['weights'] = {};
  for (const name of w.tensors.keys()) weights[name] = w.read(name).data;
  const moments: TrainerCheckpoint['moments'] = {};
  for (const name of m.tensors.keys()) {
    if (!name.startsWith('m.')) continue;
    const key = name.slice(2);
    moments[key] = { m: m.read(name).data, v: m.read(`v.${key}`).data };
  }
  if (history.length < state.historyLength) throw new LabError('invalid-argument', `history.jsonl has ${history.length} steps but the checkpoint ${state.historyLength}`, { file: join(dir, 'state.json') });
  return { ...state, history: history.slice(0, state.historyLength), weights, moments };
}

export interface TrainToFolder {
  /** A parsed RunConfig of kind "train". */
  config: ReturnType<typeof asTrainConfig>;
  /** Where the config's relative file names are found. */
  configDir: string;
  out: string;
  backend: Backend;
  /** Continue from out/checkpoint (out/config.json, out/base-results.json and out/history.jsonl are there). */
  resume: boolean;
  log?: (line: string) => void;
}

/**
 * One training run into a folder (the layout above): base evaluation, training with checkpoints, trained
 * evaluation, the model. `lab train` and `lab experiment` (one call per sampler and seed) both run this.
 */
export async function trainToFolder(o: TrainToFolder): Promise<{ steps: number; finalLoss: number | undefined; base: EvalResults[]; trained: EvalResults[] }> {
  const { config, configDir, out, resume } = o;
  const backendName = o.backend;
  const t = config.train;

  // Inputs first (cheap, and every mistake named before any step or file).
  const trainSets = await Promise.all(t.data.map((r, i) => datasetOfRef(r, configDir, `train.data[${i}]`, config)));
  const evalSets = await Promise.all(config.datasets.map((r, i) => datasetOfRef(r, configDir, `datasets[${i}]`, config)));
  // Validation: the same training datasets cut to their validation split.
  const valSets = t.validateEvery > 0
    ? await Promise.all(t.data.map((r, i) => datasetOfRef({ ...r, split: 'validation' }, configDir, `train.data[${i}]`, config)))
    : [];
  const data = await prepareTrainingData(config, trainSets, valSets);
  const pool = data.pool;
  const active = await initNodeBackend(backendName);
  const log = o.log ?? ((l: string): void => void process.stderr.write(`${l}\n`));
  log(`backend: ${active.backend} (${active.reason})`);
  const { model, files, label } = await loadModel(config, configDir);
  log(`model: ${label}, ${model.encoder.config.layers} layers, hidden ${model.encoder.config.hidden}; training data: ${pool.groups.length} parallel groups in ${pool.languages.join(' ')}${pool.heldOut.length ? ` (held out: ${pool.heldOut.join(' ')})` : ''}`);
  if (t.mining) {
    const n = pool.groups.reduce((k, g) => k + [...g.byLang.values()].reduce((j, s) => j + s.negatives.length, 0), 0);
    log(`hard negatives: ${n} in the training pool, mined with BM25 from ranks ${t.mining.from}–${t.mining.to}, ${t.mining.perPair} per pair`);
  }

  mkdirSync(out, { recursive: true });
  const historyPath = join(out, 'history.jsonl');
  let base: EvalResults[];
  let from: TrainerCheckpoint | undefined;
  if (resume) {
    const history = existsSync(historyPath) ? readFileSync(historyPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as TrainerCheckpoint['history'][number]) : [];
    from = readCheckpoint(join(out, 'checkpoint'), history);
    writeAtomic(historyPath, from.history.map((h) => `${JSON.stringify(h)}\n`).join(''));
    base = (JSON.parse(readFileSync(join(out, 'base-results.json'), 'utf8')) as { base: EvalResults[] }).base;
    log(`resuming at step ${from.step} of ${t.steps}`);
  } else {
    writeAtomic(join(out, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
    writeAtomic(join(out, 'inputs.json'), `${JSON.stringify({ configDir })}\n`);
    writeAtomic(historyPath, '');
    log('evaluating the base model…');
    base = await evaluateAll(model, `${label} (base)`, evalSets, config, active.backend, { languages: pool.languages, heldOut: pool.heldOut, steps: 0 });
    writeAtomic(join(out, 'base-results.json'), `${JSON.stringify({ base })}\n`);
  }

  const trainer = new Trainer(model, pool, trainerOptions(config), from);
  const started = performance.now();
  const startStep = trainer.step;
  let lastLog = 0;
  const end = await runTraining(trainer, model, data, config, `tfjs-${active.backend}`, {
    onStep: (h) => appendFileSync(historyPath, `${JSON.stringify(h)}\n`),
    saveCheckpoint: async (c) => writeCheckpoint(join(out, 'checkpoint'), c),
    log,
    onProgress: (p) => {
      const now = performance.now();
      if (now - lastLog < 2000 && p.done < p.total) return;
      lastLog = now;
      const h = trainer.history.at(-1)!;
      const rate = (p.done - startStep) / ((now - started) / 1000);
      log(`step ${p.done}/${p.total} loss ${h.loss.toFixed(4)} alpha ${h.alpha.toFixed(2)} lr ${h.lr.toExponential(2)} ${h.batch_type} · ${rate.toFixed(2)} steps/s, ${formatDuration((p.total - p.done) / rate)} left`);
    },
  }, { signal: interrupted.signal });
  const stoppedEarly = end.kind === 'stopped-early' ? { step: end.step, bestLoss: end.bestLoss } : undefined;
  log('evaluating the trained model…');
  const trained = await evaluateAll(model, `${label} (trained)`, evalSets, config, active.backend, { languages: pool.languages, heldOut: pool.heldOut, steps: trainer.step });
  writeAtomic(join(out, 'results.json'), `${JSON.stringify({ kind: 'polyglot-lab/train-results', version: 1, config, steps: trainer.step, ...(stoppedEarly ? { stoppedEarly } : {}), base, trained }, null, 2)}\n`);
  const exported = await exportEncoder(model.encoder, {
    source: files,
    card: { name: `polyglot-lab-${label.replace(/[^A-Za-z0-9._-]+/g, '-')}-${t.sampler}-seed${config.seed}`, config, trained, base, training: { languages: pool.languages, heldOut: pool.heldOut, steps: trainer.step } },
  });
  for (const [p, bytes] of exported.files) {
    mkdirSync(join(out, 'model', p, '..'), { recursive: true });
    writeAtomic(join(out, 'model', p), bytes);
  }
  const result = { steps: trainer.step, finalLoss: trainer.history.at(-1)?.loss, base, trained };
  trainer.dispose();
  model.encoder.dispose();
  return result;
}

export async function run(argv: string[]): Promise<number> {
  const f = commandFlags(argv, { config: 'value', out: 'value', resume: 'value', backend: 'value' }, USAGE, (p) => {
    if (p.positional.length) throw new LabError('invalid-argument', `unexpected argument ${p.positional[0]}`);
    if (!p.values.has('resume') && !(p.values.has('config') && p.values.has('out'))) throw new LabError('invalid-argument', '--config and --out are required (or --resume dir/)');
  });
  if ('exit' in f) return f.exit;
  const backendName = choiceFlag(f, 'backend', ['wasm', 'cpu', 'webgpu'] as const) ?? 'wasm';
  const resume = f.values.get('resume');
  const out = resolve(resume ?? f.values.get('out')!);
  const configPath = resume ? join(out, 'config.json') : f.values.get('config')!;
  const { raw, dir: configDir0 } = await readConfigFile(configPath);
  const config = asTrainConfig(parseRunConfig(raw, configPath), `${configPath}: kind`);
  // On resume, files are found relative to the original config's folder, recorded next to it.
  const configDir = resume ? (JSON.parse(readFileSync(join(out, 'inputs.json'), 'utf8')) as { configDir: string }).configDir : configDir0;
  const r = await trainToFolder({ config, configDir, out, backend: backendName, resume: resume !== undefined });
  const macro = (x: EvalResults[]) => x.map((e) => Object.fromEntries(Object.entries(e.settings).map(([st, v]) => [st, v.macro.map])));
  console.log(JSON.stringify({ out, steps: r.steps, final_loss: r.finalLoss, base: macro(r.base), trained: macro(r.trained) }, null, 2));
  return 0;
}
