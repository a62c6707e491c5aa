/**
 * `npm run lab -- export-recipe --config run.json --out dir/ [--model folder/]`
 *
 * Writes a small Python project that continues a RunConfig (kind "train") on
 * GPUs with the tools of the field: sentence-transformers' trainer and
 * MultipleNegativesRankingLoss (or the cached variant when the run uses the
 * gradient cache), with the app's hybrid batch sampler (hybrid_sampler.py,
 * PyTorch only: the same samplers and alpha schedules as src/core/train/).
 *   run_config.json      the RunConfig
 *   train_groups.jsonl   the training pool the app draws from (train split, held-out languages left out)
 *   recipe.json          the start model and the training languages
 *   start-model/         the start model when it is a folder or generated (a hub model is named by id)
 *   hybrid_sampler.py, train.py, requirements.txt, README.md
 * `--model folder/` starts from a model folder the app exported (a trained run's model/) instead.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError } from '../../core/errors.ts';
import { parseRunConfig } from '../../core/run-config.ts';
import { asTrainConfig, prepareTrainingData } from '../../core/train/run.ts';
import { generateEncoderFiles } from '../../core/model/generate.ts';
import { datasetOfRef, readConfigFile, verifiedFile } from '../../node/run-inputs.ts';
import { commandFlags } from '../flags.ts';
import { writeAtomic } from '../outputs.ts';

const USAGE = 'usage: npm run lab -- export-recipe --config run.json --out dir/ [--model folder/]';
const HERE = dirname(fileURLToPath(import.meta.url));
const PYTHON = ['hybrid_sampler.py', 'train.py'] as const;

const README = (startModel: string) => `# Continue this run with sentence-transformers

Written by Polyglot Lab's \`export-recipe\` from \`run_config.json\`. The batches are the app's: \`hybrid_sampler.py\`
draws X-X batches with probability alpha and X-Y batches otherwise (the same samplers and alpha schedules as the app,
PyTorch only), never a parallel group twice in a batch. The loss is MultipleNegativesRankingLoss (in-batch InfoNCE on
cosine similarity, scale = 1 / temperature), or the cached variant when the run used the gradient cache.

Start model: \`${startModel}\`.

    pip install -r requirements.txt
    python train.py                                  # one GPU
    torchrun --nproc_per_node 4 train.py             # several GPUs (or: accelerate launch train.py)
    BF16=1 torchrun --nproc_per_node 4 train.py      # bf16 autocast

The trained model is written to \`output/model\`, a sentence-transformers folder: drop it on the app's page, or run
\`npm run lab -- eval --model output/model <dataset files>\`. The adaptive alpha rule needs a validation signal: the
sampler's \`update(mono, cross)\` takes one; without an evaluator calling it, an adaptive run keeps its initial alpha.
`;

export async function run(argv: string[]): Promise<number> {
  const f = commandFlags(argv, { config: 'value', out: 'value', model: 'value' }, USAGE, (p) => {
    if (p.positional.length) throw new LabError('invalid-argument', `unexpected argument ${p.positional[0]}`);
    if (!p.values.has('config') || !p.values.has('out')) throw new LabError('invalid-argument', '--config and --out are required');
  });
  if ('exit' in f) return f.exit;
  const configPath = f.values.get('config')!;
  const out = resolve(f.values.get('out')!);
  const { raw, dir } = await readConfigFile(configPath);
  const config = asTrainConfig(parseRunConfig(raw, configPath), `${configPath}: kind`);
  const trainSets = await Promise.all(config.train.data.map((r, i) => datasetOfRef(r, dir, `train.data[${i}]`, config)));
  const { pool } = await prepareTrainingData({ ...config, train: { ...config.train, validateEvery: 0 } }, trainSets, []);

  const modelFlag = f.values.get('model');
  const m = config.model;
  const src = modelFlag !== undefined || m.source === 'folder' ? resolve(modelFlag !== undefined ? modelFlag : join(dir, (m as { name: string }).name)) : undefined;
  // Checked before anything is written: a refused input leaves no half-made project behind.
  if (src !== undefined && (!existsSync(src) || !statSync(src).isDirectory())) throw new LabError('invalid-argument', `${src} is not a model folder`, { path: modelFlag !== undefined ? '--model' : 'model.name' });
  if (m.source === 'bm25') throw new LabError('invalid-argument', 'a training run needs an encoder, not bm25', { path: 'model.source' });
  mkdirSync(out, { recursive: true });
  let startModel: string;
  if (src !== undefined) {
    cpSync(src, join(out, 'start-model'), { recursive: true, dereference: false, filter: (p) => !statSync(p).isSymbolicLink() });
    startModel = './start-model';
  } else if (m.source === 'hub') {
    startModel = m.id;
  } else if (m.source === 'generated') {
    // The same weights the app generates from this config's seed: the start point of the app's run.
    const tokenizer = await verifiedFile(m.tokenizer.name, m.tokenizer.sha256, dir, 'model.tokenizer');
    const files = generateEncoderFiles(m.architecture, new Uint8Array(readFileSync(tokenizer)), config.seed).files;
    for (const [p, bytes] of files) {
      mkdirSync(dirname(join(out, 'start-model', p)), { recursive: true });
      writeAtomic(join(out, 'start-model', p), bytes);
    }
    startModel = './start-model';
  } else {
    throw new LabError('invalid-argument', `model source ${m.source} cannot start a recipe`, { path: 'model.source' });
  }

  writeAtomic(join(out, 'run_config.json'), `${JSON.stringify(config, null, 2)}\n`);
  const lines = pool.groups.map((g) => JSON.stringify({
    id: g.id,
    langs: Object.fromEntries([...g.byLang].map(([l, s]) => [l, { query: s.query ?? null, positive: s.positive ?? null }])),
  }));
  writeAtomic(join(out, 'train_groups.jsonl'), `${lines.join('\n')}\n`);
  writeAtomic(join(out, 'recipe.json'), `${JSON.stringify({ startModel, languages: pool.languages, heldOut: pool.heldOut, createdBy: 'polyglot-lab export-recipe' }, null, 2)}\n`);
  for (const p of PYTHON) writeAtomic(join(out, p), readFileSync(join(HERE, '..', 'recipe', p), 'utf8'));
  writeAtomic(join(out, 'requirements.txt'), 'torch\nsentence-transformers>=3.0\ndatasets\naccelerate\n');
  writeAtomic(join(out, 'README.md'), README(startModel));
  console.log(JSON.stringify({ out, startModel, groups: pool.groups.length, languages: pool.languages, heldOut: pool.heldOut }, null, 2));
  return 0;
}
