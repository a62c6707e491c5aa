/**
 * A model folder is untrusted input: weights must be finite, tensors may not
 * share bytes or be listed twice, and config.json sizes are bounded before
 * anything is allocated.
 */
import { describe, expect, it } from 'vitest';
import { parseSafetensors } from '../../../src/core/encoder/safetensors.ts';
import { parseEncoderConfig } from '../../../src/core/encoder/config.ts';

function file(headerText: string, data: Uint8Array): Uint8Array {
  const h = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}
const floats = (...xs: number[]) => new Uint8Array(Float32Array.from(xs).buffer);

describe('hostile safetensors', () => {
  it('refuses NaN and infinite weights when the tensor is read, naming it', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const st = parseSafetensors(file('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', floats(1, bad)));
      expect(() => st.read('w')).toThrow(new RegExp(`tensor "w" holds ${bad} at index 1`));
    }
    const ok = parseSafetensors(file('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', floats(1, -2)));
    expect(Array.from(ok.read('w').data)).toEqual([1, -2]);
  });

  it('refuses overlapping tensors and tensors listed twice', () => {
    expect(() => parseSafetensors(file('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}', floats(1, 2, 3))))
      .toThrow(/tensors "a" and "b" overlap/);
    expect(() => parseSafetensors(file('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', floats(1, 2))))
      .toThrow(/tensor "a" is listed more than once/);
    // Metadata is an object too, and not a duplicate.
    expect(parseSafetensors(file('{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', floats(3))).read('a').data[0]).toBe(3);
  });
});

describe('hostile config.json', () => {
  const base = { model_type: 'bert', vocab_size: 100, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 64, max_position_embeddings: 64 };
  it('bounds every size before anything is allocated', () => {
    expect(() => parseEncoderConfig({ ...base, num_hidden_layers: 1e9 })).toThrow(/num_hidden_layers.*an integer from 1 to 256/);
    expect(() => parseEncoderConfig({ ...base, vocab_size: 2 ** 40 })).toThrow(/vocab_size/);
    expect(() => parseEncoderConfig({ ...base, hidden_size: 1e7 })).toThrow(/hidden_size/);
    expect(() => parseEncoderConfig({ ...base, max_position_embeddings: 1e12 })).toThrow(/max_position_embeddings/);
    expect(parseEncoderConfig(base).layers).toBe(2);
  });
});
