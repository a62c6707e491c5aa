/**
 * Writes the fixtures that show PyTorch loads the lab's export of a fine-tuned model:
 * for tiny-bert and tiny-xlmr, on the cpu backend,
 *   1. load the generated tiny model, take ONE deterministic SGD step on the golden
 *      batch (scripts/export-golden-step.ts),
 *   2. export it (exportEncoder) to test/fixtures/models/generated/export-<model>/ (gitignored),
 *   3. run scripts/golden_export.py on that folder (reference PyTorch encoder, strict
 *      about the layout) and keep its embeddings of the golden token ids in
 *      test/fixtures/models/golden-export-<model>.json (committed).
 * test/unit/encoder/export-pytorch.test.ts repeats steps 1–2 and compares.
 *
 * Usage: npx tsx scripts/make-export-golden.ts   (needs the generated tiny models: npx tsx scripts/make-tiny-models.ts)
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initNodeBackend } from '../src/node/backend.ts';
import { loadEncoder } from '../src/core/encoder/load.ts';
import { exportEncoder } from '../src/core/encoder/export.ts';
import { folderFileProvider } from '../src/node/model-folder.ts';
import {
  EXPORT_GOLDEN_MODELS, GENERATED_DIR, MODELS_DIR, STEP_LR, fineTuneOneStep, goldenBatch, prepareForStep, readGoldenInputs, type ExportGoldenModel,
} from './export-golden-step.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';

/** The committed fixture. */
export interface ExportGolden {
  model: ExportGoldenModel;
  generator: string;
  lr: number;
  dtype: string;
  /** Vocabulary trimmed to the golden ids before the step (inputs are then in the trimmed ids). */
  trimmed: boolean;
  vocab_size: number;
  loss_before_step: number;
  inputs: { ids: number[][]; mask: number[][] };
  /** PyTorch (float64) embeddings of the exported, fine-tuned folder. */
  embeddings: number[][];
  /**
   * Max |PyTorch(export) − tfjs(fine-tuned model in memory, float32)| when the fixture was
   * written; with dtype F16 this includes rounding the weights to half precision.
   */
  max_abs_diff_vs_tfjs_in_memory: number;
  /** Min over rows of max |PyTorch(export) − PyTorch(untuned model)|: how far the step moved the embeddings. */
  moved_from_untuned: number;
  /** What golden_export.py verified about the folder. */
  checks: string[];
}

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

export async function writeFolder(dir: string, files: Map<string, Uint8Array>): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  for (const [path, bytes] of files) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), bytes);
  }
}

async function makeOne(model: ExportGoldenModel): Promise<ExportGolden> {
  const untuned = readGoldenInputs(model);
  const src = folderFileProvider(join(GENERATED_DIR, model));
  const enc = await loadEncoder(src);
  const g = prepareForStep(enc, model, untuned);
  const loss = await fineTuneOneStep(enc, g);
  const tfjs = await enc.embed(goldenBatch(g));
  const { dtype } = EXPORT_GOLDEN_MODELS[model];
  const vocabSize = enc.config.vocabSize;
  const out = await exportEncoder(enc, { source: src, dtype });
  enc.dispose();
  const dir = join(GENERATED_DIR, `export-${model}`);
  await writeFolder(dir, out.files);

  const tmp = await mkdtemp(join(tmpdir(), 'export-golden-'));
  try {
    const inPath = join(tmp, 'inputs.json');
    const outPath = join(tmp, 'out.json');
    await writeFile(inPath, JSON.stringify({ ...g.inputs, texts: g.texts }));
    execFileSync(PYTHON, [join(ROOT, 'scripts/golden_export.py'), dir, inPath, outPath], { stdio: ['ignore', 'inherit', 'inherit'] });
    const py = JSON.parse(await readFile(outPath, 'utf8')) as { embeddings: number[][]; checks: string[]; torch: string };
    return {
      model,
      generator: `scripts/make-export-golden.ts + scripts/golden_export.py (PyTorch ${py.torch}, float64, nn.TransformerEncoderLayer)`,
      lr: STEP_LR,
      dtype,
      trimmed: EXPORT_GOLDEN_MODELS[model].trim,
      vocab_size: vocabSize,
      loss_before_step: loss,
      inputs: g.inputs,
      embeddings: py.embeddings,
      max_abs_diff_vs_tfjs_in_memory: Math.max(...py.embeddings.map((e, i) => maxAbs(e, tfjs[i]!))),
      moved_from_untuned: Math.min(...py.embeddings.map((e, i) => maxAbs(e, untuned.embeddings[i]!))),
      checks: py.checks,
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const b = await initNodeBackend('cpu');
  if (b.backend !== 'cpu') throw new Error(`expected the cpu backend, got ${b.backend}`);
  for (const model of Object.keys(EXPORT_GOLDEN_MODELS) as ExportGoldenModel[]) {
    const fx = await makeOne(model);
    const path = join(MODELS_DIR, `golden-export-${model}.json`);
    await writeFile(path, `${JSON.stringify(fx)}\n`);
    console.log(`${path}: loss before step ${fx.loss_before_step.toFixed(6)}, PyTorch(export) vs tfjs(in memory) max |diff| ${fx.max_abs_diff_vs_tfjs_in_memory.toExponential(2)}, moved ${fx.moved_from_untuned.toExponential(2)}`);
  }
}
