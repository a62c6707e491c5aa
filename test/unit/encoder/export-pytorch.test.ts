/**
 * The export of a fine-tuned model is what PyTorch loads: repeats the deterministic SGD
 * step of scripts/export-golden-step.ts on the cpu backend, exports, re-imports the
 * export, and compares its embeddings with those the independent PyTorch reference
 * (scripts/golden_export.py, via scripts/make-export-golden.ts) computed from the folder
 * exported by the same step. They must match to 1e-4 and differ from the untuned model's
 * golden embeddings, so the fine-tuned weights — not the input file — were exported.
 * Also checks the folder has what sentence-transformers reads.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportEncoder, type ExportedFolder } from '../../../src/core/encoder/export.ts';
import { loadEncoder } from '../../../src/core/encoder/load.ts';
import type { Encoder } from '../../../src/core/encoder/model.ts';
import { folderFileProvider } from '../../../src/node/model-folder.ts';
import { parseSafetensors } from '../../../src/core/encoder/safetensors.ts';
import { paramSpecs } from '../../../src/core/encoder/weights.ts';
import { initNodeBackend } from '../../../src/node/backend.ts';
import {
  EXPORT_GOLDEN_MODELS, STEP_LR, fineTuneOneStep, goldenBatch, prepareForStep, readGoldenInputs, type ExportGoldenModel, type GoldenInputs,
} from '../../../scripts/export-golden-step.ts';
import type { ExportGolden } from '../../../scripts/make-export-golden.ts';
import { FIXTURES, GEN_DIR, maxAbs } from './helpers.ts';

const dec = new TextDecoder();
const json = (out: ExportedFolder, path: string): any => { // eslint-disable-line @typescript-eslint/no-explicit-any
  const b = out.files.get(path);
  expect(b, `${path} is exported`).toBeDefined();
  return JSON.parse(dec.decode(b!));
};

/** What each source model is, so the layout assertions say what sentence-transformers must find. */
const EXPECT = {
  'tiny-bert': { modelType: 'bert', prefix: 'bert.', pooling: 'mean', modules: ['Transformer', 'Pooling', 'Normalize'], dense: undefined, prompts: { query: 'query: ', passage: 'passage: ' } },
  'tiny-xlmr': { modelType: 'xlm-roberta', prefix: 'roberta.', pooling: 'cls', modules: ['Transformer', 'Pooling', 'Dense', 'Normalize'], dense: { in: 32, out: 24 }, prompts: {} },
  // No sentence-transformers files in the source: a plain Transformers folder (mean pooling is the loader's default).
  'tiny-distilbert': { modelType: 'distilbert', prefix: 'distilbert.', pooling: 'mean', modules: undefined, dense: undefined, prompts: {} },
} as const;

beforeAll(async () => {
  // cpu: plain JS arithmetic, the backend the fixture was made on (deterministic step).
  expect((await initNodeBackend('cpu')).backend).toBe('cpu');
});

describe.each(Object.keys(EXPORT_GOLDEN_MODELS) as ExportGoldenModel[])('export of fine-tuned %s loads in PyTorch', (model) => {
  const fx = JSON.parse(readFileSync(join(FIXTURES, `golden-export-${model}.json`), 'utf8')) as ExportGolden;
  const untuned = readGoldenInputs(model);
  const want = EXPECT[model];
  const { dtype, trim } = EXPORT_GOLDEN_MODELS[model];
  let g: GoldenInputs;
  let out: ExportedFolder;
  let back: Encoder;

  beforeAll(async () => {
    const src = folderFileProvider(join(GEN_DIR, model));
    const enc = await loadEncoder(src);
    g = prepareForStep(enc, model, untuned);
    const loss = await fineTuneOneStep(enc, g);
    expect(Math.abs(loss - fx.loss_before_step)).toBeLessThan(1e-5);
    out = await exportEncoder(enc, { source: src, dtype });
    enc.dispose();
    back = await loadEncoder(async (p) => out.files.get(p));
  }, 60_000);
  afterAll(() => back?.dispose());

  it('the fixture was made by this step on these inputs', () => {
    expect(fx.lr).toBe(STEP_LR);
    expect(fx.dtype).toBe(dtype);
    expect(fx.trimmed).toBe(trim);
    expect(fx.vocab_size).toBe(back.config.vocabSize);
    expect(fx.inputs).toEqual(g.inputs);
    if (trim) expect(back.config.vocabSize).toBeLessThan(100);
  });

  it('re-imported export matches the PyTorch embeddings of the exported folder to 1e-4, and is not the untuned model', async () => {
    const got = await back.embed(goldenBatch(g));
    expect(got.length).toBe(fx.embeddings.length);
    let worst = 0;
    for (let i = 0; i < got.length; i++) {
      expect(got[i]!.length).toBe(fx.embeddings[i]!.length);
      worst = Math.max(worst, maxAbs(got[i]!, fx.embeddings[i]!));
      // Every row moved well beyond the tolerance: the fine-tuned weights were exported.
      expect(maxAbs(got[i]!, untuned.embeddings[i]!)).toBeGreaterThan(50 * 1e-4);
    }
    expect(worst).toBeLessThan(1e-4);
  });

  it('model.safetensors: every encoder weight, prefixed, PyTorch shapes, the chosen dtype', () => {
    const st = parseSafetensors(out.files.get('model.safetensors')!, 'model.safetensors');
    const cfg = back.config;
    const expected = new Map(paramSpecs(cfg).map((s) => [want.prefix + s.name, s.shape]));
    expect(new Set(st.tensors.keys())).toEqual(new Set(expected.keys()));
    for (const [name, info] of st.tensors) {
      expect(info.shape, name).toEqual(expected.get(name));
      expect(info.dtype, name).toBe(dtype);
    }
    const config = json(out, 'config.json');
    expect(config.model_type).toBe(want.modelType);
    expect(config.vocab_size).toBe(st.tensors.get(`${want.prefix}embeddings.word_embeddings.weight`)!.shape[0]);
    expect(config.torch_dtype).toBe(dtype === 'F16' ? 'float16' : 'float32');
  });

  it.runIf(trim)('trimmed: tokenizer.json and vocab.txt are rewritten to the kept tokens, vocab_trim.json says which', () => {
    const tok = json(out, 'tokenizer.json');
    const vocab = dec.decode(out.files.get('vocab.txt')!).split('\n').slice(0, -1);
    expect(vocab.length).toBe(back.config.vocabSize);
    expect(Object.keys(tok.model.vocab).length).toBe(back.config.vocabSize);
    vocab.forEach((t, i) => expect(tok.model.vocab[t], t).toBe(i));
    const original = readFileSync(join(GEN_DIR, model, 'vocab.txt'), 'utf8').split('\n');
    const kept = json(out, 'vocab_trim.json').kept_ids as number[];
    expect(kept.map((i) => original[i])).toEqual(vocab);
    for (const f of ['tokenizer_config.json', 'special_tokens_map.json']) {
      expect(Buffer.from(out.files.get(f)!).equals(readFileSync(join(GEN_DIR, model, f))), `${f} copied unchanged`).toBe(true);
    }
    expect(out.files.has('modules.json')).toBe(false);
  });

  it.runIf(want.modules !== undefined)('has the sentence-transformers layout (modules.json, 1_Pooling, Dense, config files) and the tokenizer files', () => {
    const modules = json(out, 'modules.json') as { idx: number; name: string; path: string; type: string }[];
    expect(modules.map((m) => m.type)).toEqual(want.modules!.map((k) => `sentence_transformers.models.${k}`));
    expect(modules.map((m) => m.idx)).toEqual(modules.map((_, i) => i));
    expect(modules[0]!.path).toBe('');
    expect(modules[1]!.path).toBe('1_Pooling');

    const pooling = json(out, '1_Pooling/config.json');
    expect(pooling.word_embedding_dimension).toBe(back.config.hidden);
    expect(pooling.pooling_mode_mean_tokens).toBe(want.pooling === 'mean');
    expect(pooling.pooling_mode_cls_token).toBe(want.pooling === 'cls');
    expect(pooling.pooling_mode_max_tokens).toBe(false);

    if (want.dense) {
      expect(modules[2]!.path).toBe('2_Dense');
      const dense = json(out, '2_Dense/config.json');
      expect(dense).toMatchObject({ in_features: want.dense.in, out_features: want.dense.out, bias: true, activation_function: 'torch.nn.modules.activation.Tanh' });
      const w = parseSafetensors(out.files.get('2_Dense/model.safetensors')!, '2_Dense/model.safetensors');
      expect(w.tensors.get('linear.weight')!.shape).toEqual([want.dense.out, want.dense.in]);
      expect(w.tensors.get('linear.bias')!.shape).toEqual([want.dense.out]);
    }
    expect(modules.at(-1)!.path).toBe(`${modules.length - 1}_Normalize`);

    const stConfig = json(out, 'config_sentence_transformers.json');
    expect(stConfig.similarity_fn_name).toBe('cosine');
    expect(stConfig.prompts).toEqual(want.prompts);
    expect(json(out, 'sentence_bert_config.json').max_seq_length).toBeGreaterThan(0);

    for (const f of ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt']) {
      const bytes = out.files.get(f);
      expect(bytes, f).toBeDefined();
      // Byte comparison via Buffer: vitest's deep equality walks a 2 MB array element by element.
      expect(Buffer.from(bytes!).equals(readFileSync(join(GEN_DIR, model, f))), `${f} copied unchanged`).toBe(true);
    }
    expect(out.notes).toEqual([]);
  });

  it('the PyTorch reference verified the folder when the fixture was made', () => {
    expect(fx.checks).toEqual(expect.arrayContaining([
      ...(want.modules ? [expect.stringMatching(/^sentence-transformers modules/)] : []),
      expect.stringMatching(new RegExp(`^model\\.safetensors: \\d+ tensors, all used, prefix ${want.prefix.replace('.', '\\.')}$`)),
      expect.stringMatching(/^tokenizer\.json == vocab\.txt/),
      expect.stringMatching(/^exported vocab\.txt tokenizes the \d+ texts to the input ids$/),
    ]));
  });
});
