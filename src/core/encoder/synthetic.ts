/**
 * Encoders of a named shape with seeded random weights, and a random token batch
 * for them: what the benchmarks and the harnesses time when the weights do not
 * matter (the speed of a step depends on the shape, not on the values).
 */
import { parseEncoderConfig } from './config.ts';
import { Encoder, type TokenBatch } from './model.ts';
import type { HeadConfig } from './st-layout.ts';
import { mulberry32 } from '../random.ts';

export interface Shape { name: string; vocab: number; hidden: number; layers: number; heads: number; ffn: number; seq: number; batch: number }

export const SHAPES: Shape[] = [
  { name: 'tiny', vocab: 119547, hidden: 32, layers: 2, heads: 4, ffn: 64, seq: 128, batch: 32 },
  // A CPU-sized step whose time is mostly matmuls (what threads can share): for the wasm thread comparison.
  { name: 'small', vocab: 8000, hidden: 256, layers: 2, heads: 4, ffn: 1024, seq: 64, batch: 16 },
  { name: 'minilm', vocab: 32000, hidden: 384, layers: 12, heads: 12, ffn: 1536, seq: 128, batch: 32 },
  // On request only (--shapes bert-base): the second real-GPU shape, far too slow for a CPU.
  { name: 'bert-base', vocab: 119547, hidden: 768, layers: 12, heads: 12, ffn: 3072, seq: 128, batch: 64 },
];

export function shapeNamed(name: string): Shape {
  const s = SHAPES.find((x) => x.name === name);
  if (!s) throw new Error(`unknown shape "${name}"; shapes: ${SHAPES.map((x) => x.name).join(', ')}`);
  return s;
}

/** `s.batch` sequences of `s.seq` random ids (CLS first, SEP last), all unmasked. */
export function batchFor(s: Shape): TokenBatch {
  const r = mulberry32(7);
  const ids = new Int32Array(s.batch * s.seq);
  for (let i = 0; i < ids.length; i++) ids[i] = 1000 + Math.floor(r() * (s.vocab - 1000));
  for (let b = 0; b < s.batch; b++) { ids[b * s.seq] = 101; ids[b * s.seq + s.seq - 1] = 102; }
  return { ids, mask: new Int32Array(ids.length).fill(1), batch: s.batch, seq: s.seq };
}

/** A BERT encoder of shape `s` with mean pooling and seeded uniform weights (LayerNorm gains 1). */
export function buildEncoder(s: Shape): Encoder {
  const cfg = parseEncoderConfig({
    model_type: 'bert', vocab_size: s.vocab, hidden_size: s.hidden, num_hidden_layers: s.layers,
    num_attention_heads: s.heads, intermediate_size: s.ffn, max_position_embeddings: 512, type_vocab_size: 2,
  });
  const head: HeadConfig = {
    pooling: 'mean', poolingPath: '1_Pooling', dense: [], normalize: true, prompts: {}, maxSeqLength: undefined,
    sentenceTransformers: true, notes: [],
  };
  const r = mulberry32(1);
  return new Encoder(cfg, head, (spec) => {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const std = spec.shape.length === 2 ? 1 / Math.sqrt(spec.shape[1]!) : 0.02;
    const out = new Float32Array(n);
    const ln = spec.name.endsWith('LayerNorm.weight');
    for (let i = 0; i < n; i++) out[i] = ln ? 1 : (r() * 2 - 1) * std * 1.7;
    return out;
  });
}
