/** Training-facing behaviour: freezing, vocabulary trimming, export → import round trip. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportEncoder } from '../../../src/core/encoder/export.ts';
import { lossAndGradients } from '../../../src/core/encoder/grads.ts';
import { loadEncoder } from '../../../src/core/encoder/load.ts';
import { toTokenBatch, type TokenBatch } from '../../../src/core/encoder/model.ts';
import { folderFileProvider } from '../../../src/node/model-folder.ts';
import { parseSafetensors } from '../../../src/core/encoder/safetensors.ts';
import { remapTokenIds, trimEncoderVocab } from '../../../src/core/encoder/trim.ts';
import { initNodeBackend } from '../../../src/node/backend.ts';
import { FIXTURES, GEN_DIR, infoNCE, maxAbs } from './helpers.ts';

const golden = JSON.parse(readFileSync(join(FIXTURES, 'golden-tiny-xlmr.json'), 'utf8')) as { inputs: { ids: number[][]; mask: number[][] } };
const inputs = golden.inputs;
const memProvider = (m: Map<string, Uint8Array>) => async (p: string) => m.get(p);

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('freeze options', () => {
  it('an optimizer step changes trainable weights and leaves frozen ones bit-identical', async () => {
    const enc = await loadEncoder(folderFileProvider(join(GEN_DIR, 'tiny-bert')), { freezeEmbeddings: true, freezeBottomLayers: 1 });
    const batch = toTokenBatch(inputs.ids, inputs.mask);
    const snapshot = new Map([...enc.params].map(([n, p]) => [n, Float32Array.from(p.variable.dataSync())]));
    const opt = tf.train.adam(1e-2);
    const vars = enc.trainableVariables();
    expect(vars.length).toBe(16); // layer 1 only (no Dense head in tiny-bert)
    opt.minimize(() => infoNCE(enc.pool(batch), 3, 0.05), false, vars);
    for (const [name, p] of enc.params) {
      const changed = maxAbs(p.variable.dataSync(), snapshot.get(name)!) > 0;
      const frozen = name.startsWith('embeddings.') || name.startsWith('encoder.layer.0.');
      expect(changed, name).toBe(!frozen);
    }
    opt.dispose();
    enc.dispose();
  });
});

describe('checkpointed gradients with freezing', () => {
  it('returns gradients only for trainable variables, and an Adam step leaves frozen ones unchanged', async () => {
    const enc = await loadEncoder(folderFileProvider(join(GEN_DIR, 'tiny-xlmr')), { freezeEmbeddings: true, freezeBottomLayers: 1 });
    const q = toTokenBatch(inputs.ids.slice(0, 3), inputs.mask.slice(0, 3));
    const p = toTokenBatch(inputs.ids.slice(3), inputs.mask.slice(3));
    const snapshot = new Map(enc.allVariables().map((v) => [v.name, Float32Array.from(v.dataSync())]));
    const { loss, grads } = await lossAndGradients(enc, [q, p], ([eq, ep]) => infoNCE(tf.concat([eq!, ep!]) as tf.Tensor2D, 3, 0.05));
    expect(loss).toBeGreaterThan(0);
    expect(Object.keys(grads).sort()).toEqual(enc.trainableVariables().map((v) => v.name).sort());
    expect(Object.keys(grads).some((n) => n.endsWith('dense0/linear.weight'))).toBe(true);
    const opt = tf.train.adam(1e-2);
    opt.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
    tf.dispose(Object.values(grads));
    for (const v of enc.allVariables()) {
      const changed = maxAbs(v.dataSync(), snapshot.get(v.name)!) > 0;
      expect(changed, v.name).toBe(v.trainable);
      expect(v.trainable, v.name).toBe(!/\/embeddings\.|encoder\.layer\.0\./.test(v.name));
    }
    opt.dispose();
    enc.dispose();
  });
});

describe('vocabulary trimming', () => {
  it('keeps embeddings of texts whose ids are kept, shrinks the table and reports bytes', async () => {
    const enc = await loadEncoder(folderFileProvider(join(GEN_DIR, 'tiny-xlmr')));
    const before = await enc.embed(toTokenBatch(inputs.ids, inputs.mask));
    const used = inputs.ids.flat();
    const trim = trimEncoderVocab(enc, { usedIds: used, specialIds: [0, 1, 2, 100, 101, 102, 103], unkId: 100 });
    expect(trim.keep.length).toBeLessThan(200);
    expect(enc.config.vocabSize).toBe(trim.keep.length);
    expect(trim.remap[1]).toBe(1); // pad id (RoBERTa position offset) unchanged
    expect(trim.tableBytesBefore).toBe(119547 * 32 * 4);
    expect(trim.tableBytesAfter).toBe(trim.keep.length * 32 * 4);
    expect(trim.modelBytesBefore - trim.modelBytesAfter).toBe(trim.tableBytesBefore - trim.tableBytesAfter);
    expect(enc.notes.at(-1)).toMatch(/vocabulary trimmed from 119547 to \d+ tokens: embeddings 14\.6 MiB → /);
    const remapped = inputs.ids.map((r) => Array.from(remapTokenIds(r, trim)));
    const after = await enc.embed(toTokenBatch(remapped, inputs.mask));
    for (let i = 0; i < before.length; i++) expect(maxAbs(after[i]!, before[i]!)).toBeLessThan(1e-6);
    // An id that was not kept maps to [UNK].
    expect(Array.from(remapTokenIds([5000], trim))).toEqual([trim.remap[100]]);
    enc.dispose();
  });
});

describe('export → import', () => {
  async function roundTrip(model: string, trimIt: boolean): Promise<void> {
    const src = folderFileProvider(join(GEN_DIR, model));
    const enc = await loadEncoder(src);
    // Make it "fine-tuned" so the export cannot pass by copying the input file.
    const batch0 = toTokenBatch(inputs.ids, inputs.mask);
    tf.train.sgd(0.1).minimize(() => infoNCE(enc.pool(batch0), 3, 0.05), false, enc.trainableVariables());
    let ids = inputs.ids;
    if (trimIt) {
      const trim = trimEncoderVocab(enc, { usedIds: ids.flat(), specialIds: [0, 100, 101, 102, 103], unkId: 100 });
      ids = ids.map((r) => Array.from(remapTokenIds(r, trim)));
    }
    const batch: TokenBatch = toTokenBatch(ids, inputs.mask);
    const want = await enc.embed(batch);
    const out = await exportEncoder(enc, { source: src });
    const names = [...parseSafetensors(out.files.get('model.safetensors')!).tensors.keys()];
    const prefix = { 'tiny-bert': 'bert.', 'tiny-xlmr': 'roberta.', 'tiny-distilbert': 'distilbert.' }[model]!;
    expect(names.every((n) => n.startsWith(prefix))).toBe(true);
    const cfg = JSON.parse(new TextDecoder().decode(out.files.get('config.json')!)) as { vocab_size: number };
    expect(cfg.vocab_size).toBe(enc.config.vocabSize);
    expect(out.files.has('tokenizer.json')).toBe(true);
    const back = await loadEncoder(memProvider(out.files));
    expect(back.pooling).toBe(enc.pooling);
    expect(back.head.normalize).toBe(enc.head.normalize);
    expect(back.dim).toBe(enc.dim);
    const got = await back.embed(batch);
    for (let i = 0; i < want.length; i++) expect(maxAbs(got[i]!, want[i]!)).toBeLessThan(1e-6);
    if (trimIt) {
      // The rewritten tokenizer.json gives the kept tokens their new ids.
      const tok = JSON.parse(new TextDecoder().decode(out.files.get('tokenizer.json')!)) as { model: { vocab: Record<string, number> }; post_processor: unknown };
      expect(Object.keys(tok.model.vocab).length).toBe(enc.config.vocabSize);
      expect(tok.model.vocab['[CLS]']).toBe(enc.vocabTrim!.remap[101]);
      expect(JSON.stringify(tok.post_processor)).toContain(`[${enc.vocabTrim!.remap[101]}]`);
      const keptIds = (JSON.parse(new TextDecoder().decode(out.files.get('vocab_trim.json')!)) as { kept_ids: number[] }).kept_ids;
      expect(keptIds).toEqual(Array.from(enc.vocabTrim!.keep));
      const vocab = new TextDecoder().decode(out.files.get('vocab.txt')!).split('\n');
      expect(vocab[enc.vocabTrim!.remap[101]!]).toBe('[CLS]');
    }
    enc.dispose();
    back.dispose();
  }

  it('BERT with mean pooling + Normalize', () => roundTrip('tiny-bert', false));
  it('XLM-R with CLS + Dense + Normalize', () => roundTrip('tiny-xlmr', false));
  it('DistilBERT, trimmed vocabulary, tokenizer rewritten', () => roundTrip('tiny-distilbert', true));
});
