/** Loading Hugging Face folders: name mapping, error messages, sentence-transformers heads. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEncoder } from '../../../src/core/encoder/load.ts';
import { parseSafetensors, writeSafetensors } from '../../../src/core/encoder/safetensors.ts';
import type { FileProvider } from '../../../src/core/encoder/st-layout.ts';
import { parseEncoderConfig } from '../../../src/core/encoder/config.ts';
import { LabError } from '../../../src/core/errors.ts';
import { initNodeBackend } from '../../../src/node/backend.ts';
import { GEN_DIR } from './helpers.ts';

/** In-memory copy of a generated model folder, so tests can edit files. */
function folder(name: string): Map<string, Uint8Array> {
  const root = join(GEN_DIR, name);
  const files = new Map<string, Uint8Array>();
  const walk = (d: string): void => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else files.set(relative(root, p), new Uint8Array(readFileSync(p)));
    }
  };
  walk(root);
  return files;
}
const provider = (m: Map<string, Uint8Array>): FileProvider => async (p) => m.get(p);
const json = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));

/** Rewrites model.safetensors with renamed / dropped / added tensors. */
function editWeights(m: Map<string, Uint8Array>, edit: (name: string) => string | null, extra: string[] = []): void {
  const st = parseSafetensors(m.get('model.safetensors')!);
  const out = [];
  for (const [name, info] of st.tensors) {
    const n = edit(name);
    if (n !== null) out.push({ name: n, shape: info.shape, data: Float32Array.from(st.read(name).data) });
  }
  for (const e of extra) out.push({ name: e, shape: [2], data: new Float32Array(2) });
  m.set('model.safetensors', writeSafetensors(out));
}

async function loadError(m: Map<string, Uint8Array>): Promise<LabError> {
  try {
    const enc = await loadEncoder(provider(m));
    enc.dispose();
  } catch (e) {
    expect(e).toBeInstanceOf(LabError);
    return e as LabError;
  }
  throw new Error('expected loading to fail');
}

beforeAll(async () => {
  await initNodeBackend('cpu');
});

describe('loadEncoder', () => {
  it('reads the sentence-transformers head: CLS pooling, 2_Dense with tanh, Normalize (tiny-xlmr, F16)', async () => {
    const enc = await loadEncoder(provider(folder('tiny-xlmr')));
    expect(enc.config.modelType).toBe('xlm-roberta');
    expect(enc.config.robertaPositions).toBe(true);
    expect(enc.pooling).toBe('cls');
    expect(enc.head.normalize).toBe(true);
    expect(enc.head.dense.map((d) => [d.inFeatures, d.outFeatures, d.activation])).toEqual([[32, 24, 'tanh']]);
    expect(enc.dim).toBe(24);
    expect(enc.head.maxSeqLength).toBe(62);
    expect(enc.notes.join('\n')).toMatch(/ignored 2 tensor\(s\).*roberta\.pooler\.dense/);
    enc.dispose();
  });

  it('defaults to mean pooling without normalization when there is no modules.json, and ignores MLM heads (tiny-distilbert)', async () => {
    const enc = await loadEncoder(provider(folder('tiny-distilbert')));
    expect(enc.pooling).toBe('mean');
    expect(enc.head.normalize).toBe(false);
    expect(enc.config.typeVocabSize).toBe(0);
    expect(enc.notes.join('\n')).toMatch(/no modules.json: mean pooling/);
    expect(enc.notes.join('\n')).toMatch(/vocab_projector\.bias/);
    enc.dispose();
  });

  it('reads declared prompts and lets options override pooling and freezing', async () => {
    const enc = await loadEncoder(provider(folder('tiny-bert')), { pooling: 'cls', freezeBottomLayers: 1 });
    expect(enc.prompts).toEqual({ query: 'query: ', passage: 'passage: ' });
    expect(enc.pooling).toBe('cls');
    expect(enc.trainableVariables().some((v) => v.name.includes('encoder.layer.0.'))).toBe(false);
    expect(enc.trainableVariables().some((v) => v.name.includes('encoder.layer.1.'))).toBe(true);
    enc.dispose();
  });

  it('accepts names with or without the architecture prefix and TF-era gamma/beta LayerNorm names', async () => {
    const m = folder('tiny-bert');
    editWeights(m, (n) => n.replace(/^bert\./, '').replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta'));
    const enc = await loadEncoder(provider(m));
    expect(enc.params.size).toBe(5 + 2 * 16);
    enc.dispose();
  });

  it('lists missing and unexpected tensor names', async () => {
    const m = folder('tiny-bert');
    editWeights(m, (n) => (n.includes('layer.1.attention.self.key') ? null : n), ['bert.encoder.layer.1.adapter.weight']);
    const e = await loadError(m);
    expect(e.code).toBe('model-weights');
    expect(e.message).toContain('missing 2 tensor(s): encoder.layer.1.attention.self.key.weight, encoder.layer.1.attention.self.key.bias');
    expect(e.message).toContain('unexpected 1 tensor(s): bert.encoder.layer.1.adapter.weight');
    expect(e.location.file).toBe('model.safetensors');
  });

  it('reports a shape that disagrees with config.json', async () => {
    const m = folder('tiny-distilbert');
    const cfg = JSON.parse(new TextDecoder().decode(m.get('config.json')!)) as Record<string, unknown>;
    m.set('config.json', json({ ...cfg, hidden_dim: 48 }));
    const e = await loadError(m);
    expect(e.message).toMatch(/"transformer\.layer\.0\.ffn\.lin1\.weight" has shape \[64, 32\] but config\.json implies \[48, 32\]/);
  });

  it('explains pickle-only weights and missing config', async () => {
    const m = folder('tiny-bert');
    m.delete('model.safetensors');
    m.set('pytorch_model.bin', new Uint8Array([1, 2, 3]));
    expect((await loadError(m)).message).toMatch(/only pytorch_model\.bin.*model\.safetensors/);
    m.delete('config.json');
    expect((await loadError(m)).message).toMatch(/no config\.json/);
  });

  it('loads sharded checkpoints through model.safetensors.index.json', async () => {
    const m = folder('tiny-distilbert');
    const st = parseSafetensors(m.get('model.safetensors')!);
    const names = [...st.tensors.keys()];
    const half = Math.floor(names.length / 2);
    const shard = (ns: string[]): Uint8Array => writeSafetensors(ns.map((n) => ({ name: n, shape: st.tensors.get(n)!.shape, data: Float32Array.from(st.read(n).data) })));
    m.set('model-00001-of-00002.safetensors', shard(names.slice(0, half)));
    m.set('model-00002-of-00002.safetensors', shard(names.slice(half)));
    m.set('model.safetensors.index.json', json({ weight_map: Object.fromEntries(names.map((n, i) => [n, i < half ? 'model-00001-of-00002.safetensors' : 'model-00002-of-00002.safetensors'])) }));
    m.delete('model.safetensors');
    const enc = await loadEncoder(provider(m));
    expect(enc.config.layers).toBe(2);
    enc.dispose();
  });

  it('rejects unsupported Pooling modes and module types', async () => {
    const m = folder('tiny-bert');
    m.set('1_Pooling/config.json', json({ pooling_mode_max_tokens: true }));
    expect((await loadError(m)).message).toMatch(/1_Pooling\/config\.json: pooling mode\(s\) \[max_tokens\] are not supported/);
    const m2 = folder('tiny-bert');
    m2.set('modules.json', json([{ idx: 0, name: '0', path: '', type: 'sentence_transformers.models.CNN' }]));
    const e = await loadError(m2);
    expect(e.code).toBe('model-unsupported');
    expect(e.message).toMatch(/CNN.*expected Transformer, Pooling, Dense, Normalize/);
  });
});

describe('parseEncoderConfig', () => {
  it('names unsupported architectures and lists the supported ones', () => {
    try {
      parseEncoderConfig({ model_type: 'gpt2' });
      throw new Error('no error');
    } catch (e) {
      expect((e as LabError).code).toBe('model-unsupported');
      expect((e as LabError).message).toMatch(/"gpt2" is not supported; supported encoder architectures: bert, xlm-roberta, roberta, distilbert/);
    }
  });

  it('names the bad field', () => {
    const base = { model_type: 'bert', vocab_size: 100, hidden_size: 32, num_attention_heads: 4 };
    expect(() => parseEncoderConfig({ ...base, num_hidden_layers: 'two' })).toThrow(/field "num_hidden_layers" is "two" \(expected an integer from 1 to 256\)/);
    expect(() => parseEncoderConfig({ ...base, num_attention_heads: 5 })).toThrow(/hidden_size 32 is not divisible by num_attention_heads 5/);
    expect(() => parseEncoderConfig({ ...base, hidden_act: 'swish' })).toThrow(/activation "swish"/);
    expect(() => parseEncoderConfig({ ...base, position_embedding_type: 'relative_key' })).toThrow(/position_embedding_type "relative_key"/);
    expect(() => parseEncoderConfig({ model_type: 'distilbert', vocab_size: 0 })).toThrow(/field "vocab_size" is 0/);
    expect(parseEncoderConfig({ ...base, model_type: 'xlm-roberta' }).padTokenId).toBe(1);
  });
});
