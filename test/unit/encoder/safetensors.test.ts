import { describe, expect, it } from 'vitest';
import { f16ToF32, f32ToBF16, f32ToF16, parseSafetensors, writeSafetensors } from '../../../src/core/encoder/safetensors.ts';
import { LabError } from '../../../src/core/errors.ts';

function rawFile(header: unknown, data: Uint8Array): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function errorOf(f: () => unknown): LabError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LabError);
    return e as LabError;
  }
  throw new Error('expected a LabError');
}

describe('safetensors', () => {
  it('decodes hand-made F16 and BF16 bit patterns', () => {
    // F16: 1.0 = 0x3c00, -2.0 = 0xc000, 65504 = 0x7bff, smallest subnormal 2^-24 = 0x0001, 0.333251953125 = 0x3555
    // BF16: 1.0 = 0x3f80, -2.0 = 0xc000, pi ≈ 0x4049 (3.140625)
    const f16 = new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001, 0x3555]);
    const bf16 = new Uint16Array([0x3f80, 0xc000, 0x4049]);
    const data = new Uint8Array(f16.byteLength + bf16.byteLength);
    data.set(new Uint8Array(f16.buffer), 0);
    data.set(new Uint8Array(bf16.buffer), f16.byteLength);
    const st = parseSafetensors(rawFile({
      a: { dtype: 'F16', shape: [5], data_offsets: [0, 10] },
      b: { dtype: 'BF16', shape: [3], data_offsets: [10, 16] },
    }, data));
    expect(Array.from(st.read('a').data)).toEqual([1, -2, 65504, 2 ** -24, 0.333251953125]);
    expect(Array.from(st.read('b').data)).toEqual([1, -2, 3.140625]);
    expect(st.read('b').shape).toEqual([3]);
  });

  it('converts float32 to half and bfloat16 with round-to-nearest-even', () => {
    expect(f32ToF16(1)).toBe(0x3c00);
    expect(f32ToF16(65504)).toBe(0x7bff);
    expect(f32ToF16(1e6)).toBe(0x7c00); // overflow → inf
    expect(f32ToF16(2 ** -24)).toBe(0x0001);
    expect(f16ToF32(f32ToF16(0.1))).toBeCloseTo(0.0999755859375, 12);
    expect(f32ToBF16(1)).toBe(0x3f80);
    expect(f32ToBF16(Math.PI)).toBe(0x4049);
    for (let i = 0; i < 2000; i++) {
      const x = (i - 1000) / 37;
      expect(Math.abs(f16ToF32(f32ToF16(x)) - x)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -11 + 2 ** -25);
    }
  });

  it('round-trips F32/F16/BF16 through the writer, zero-copy for aligned F32', () => {
    const a = Float32Array.from({ length: 6 }, (_, i) => i * 0.5 - 1);
    const bytes = writeSafetensors([
      { name: 'x.f32', shape: [2, 3], data: a },
      { name: 'y.f16', shape: [6], data: a, dtype: 'F16' },
      { name: 'z.bf16', shape: [3, 2], data: a, dtype: 'BF16' },
    ], { format: 'pt' });
    const st = parseSafetensors(bytes);
    expect(st.metadata).toEqual({ format: 'pt' });
    const x = st.read('x.f32');
    expect(x.shape).toEqual([2, 3]);
    expect(Array.from(x.data)).toEqual(Array.from(a));
    expect(x.data.buffer).toBe(bytes.buffer); // a view, not a copy
    expect(Array.from(st.read('y.f16').data)).toEqual(Array.from(a));
    expect(Array.from(st.read('z.bf16').data)).toEqual(Array.from(a));
  });

  it('rejects truncated files, bad headers and inconsistent tensors with model-weights errors naming the tensor', () => {
    const ok = writeSafetensors([{ name: 'w', shape: [4], data: new Float32Array(4) }]);
    expect(errorOf(() => parseSafetensors(ok.subarray(0, ok.length - 4), 'm.safetensors')).message).toMatch(/m\.safetensors.*"w".*truncated/);
    expect(errorOf(() => parseSafetensors(new Uint8Array(4))).code).toBe('model-weights');
    expect(errorOf(() => parseSafetensors(rawFile({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)))).message)
      .toMatch(/"w": 8 bytes for shape \[3\] of F32.*expected 12 bytes/);
    expect(errorOf(() => parseSafetensors(rawFile({ w: { dtype: 'Q4', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)))).message)
      .toMatch(/"w": unsupported dtype "Q4"/);
    const bad = rawFile({}, new Uint8Array(0));
    bad[8] = 0x7b + 1; // corrupt the JSON
    expect(errorOf(() => parseSafetensors(bad)).message).toMatch(/not valid JSON/);
    const ints = parseSafetensors(rawFile({ i: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)));
    expect(errorOf(() => ints.read('i')).message).toMatch(/"i" has dtype I64/);
  });
});
