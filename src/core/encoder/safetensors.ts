/**
 * safetensors reader/writer (https://github.com/huggingface/safetensors):
 *   8-byte little-endian u64 header length N | N bytes of UTF-8 JSON | raw tensor bytes.
 *
 * The reader never copies the whole file: each tensor is decoded on demand
 * from a view of the caller's bytes (F32 aligned → zero-copy Float32Array view;
 * F16/BF16 → a fresh Float32Array of that one tensor), so peak memory is the
 * file plus one decoded tensor, not the file twice.
 */
import { jsonErrorWithoutContent } from '../hub/model-files.ts';
import { LabError } from '../errors.ts';

export type SafeDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const DTYPE_BYTES: Record<SafeDType, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
};

export interface SafeTensorInfo {
  name: string;
  dtype: SafeDType;
  shape: number[];
  /** Byte offsets relative to the start of the data section. */
  begin: number;
  end: number;
}

export interface SafetensorsFile {
  file: string;
  metadata: Record<string, string>;
  tensors: Map<string, SafeTensorInfo>;
  /** Decodes one float tensor to float32 (F32/F16/BF16/F64). */
  read(name: string): { shape: number[]; data: Float32Array };
}

export function parseSafetensors(bytes: Uint8Array, file = 'model.safetensors'): SafetensorsFile {
  const fail = (msg: string, expected?: string): never => {
    throw new LabError('model-weights', msg, { file }, expected);
  };
  if (bytes.byteLength < 8) fail(`file is ${bytes.byteLength} bytes, too short for a safetensors header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(dv.getBigUint64(0, true));
  if (headerLen > bytes.byteLength - 8 || headerLen < 2) {
    fail(`header length ${headerLen} does not fit in a ${bytes.byteLength}-byte file (truncated or not safetensors?)`);
  }
  let header: unknown;
  const headerText = new TextDecoder().decode(bytes.subarray(8, 8 + headerLen));
  try {
    header = JSON.parse(headerText);
  } catch (e) {
    fail(`header is not valid JSON: ${jsonErrorWithoutContent(e)}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');
  const dataOffset = 8 + headerLen;
  const dataLen = bytes.byteLength - dataOffset;
  const tensors = new Map<string, SafeTensorInfo>();
  let metadata: Record<string, string> = {};
  for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = (v ?? {}) as Record<string, string>;
      continue;
    }
    const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) fail(`tensor "${name}": entry is not an object`);
    const dtype = e.dtype as SafeDType;
    if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) {
      fail(`tensor "${name}": unsupported dtype ${JSON.stringify(e.dtype)}`, Object.keys(DTYPE_BYTES).join(', '));
    }
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      fail(`tensor "${name}": shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    }
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isInteger(d) && d >= 0)) {
      fail(`tensor "${name}": data_offsets ${JSON.stringify(off)} is not [begin, end]`);
    }
    const [begin, end] = off as [number, number];
    const n = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end - begin !== n * DTYPE_BYTES[dtype]) {
      fail(`tensor "${name}": ${end - begin} bytes for shape [${(shape as number[]).join(', ')}] of ${dtype}`,
        `${n * DTYPE_BYTES[dtype]} bytes`);
    }
    if (end > dataLen) fail(`tensor "${name}": data ends at byte ${end} but the data section has ${dataLen} bytes (truncated file?)`);
    tensors.set(name, { name, dtype, shape: shape as number[], begin, end });
  }

  // Two entries sharing bytes would alias weights (a write to one changes the other); a duplicated name is silently
  // collapsed by JSON.parse, so it is looked for in the header text.
  const spans = [...tensors.values()].sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < spans.length; i++) {
    const a = spans[i - 1]!;
    const b = spans[i]!;
    if (b.begin < a.end && b.end > b.begin && a.end > a.begin) fail(`tensors "${a.name}" and "${b.name}" overlap (bytes ${b.begin}–${Math.min(a.end, b.end)})`, 'disjoint data_offsets');
  }
  const objectKeys = [...headerText.matchAll(/"((?:[^"\\]|\\.)*)"\s*:\s*\{/g)].map((m) => m[1]!);
  if (objectKeys.length > Object.keys(header as object).length) {
    const seen = new Set<string>();
    const dup = objectKeys.find((k) => (seen.has(k) ? true : (seen.add(k), false)));
    fail(`tensor ${dup !== undefined ? `"${dup}" ` : ''}is listed more than once in the header`, 'each tensor name once');
  }

  function read(name: string): { shape: number[]; data: Float32Array } {
    const info = tensors.get(name);
    if (!info) throw new LabError('model-weights', `no tensor named "${name}"`, { file });
    const start = bytes.byteOffset + dataOffset + info.begin;
    const n = (info.end - info.begin) / DTYPE_BYTES[info.dtype];
    const data = decodeFloat(bytes, start - bytes.byteOffset, n, info.dtype, name, file);
    // A NaN or infinite weight makes every embedding NaN: refuse the model instead of writing nulls.
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i]!)) {
        throw new LabError('model-weights', `tensor "${name}" holds ${data[i]} at index ${i}`, { file }, 'finite weights (the file is corrupt or the training diverged)');
      }
    }
    return { shape: info.shape, data };
  }

  return { file, metadata, tensors, read };
}

function decodeFloat(bytes: Uint8Array, at: number, n: number, dtype: SafeDType, name: string, file: string): Float32Array {
  const abs = bytes.byteOffset + at;
  switch (dtype) {
    case 'F32':
      if (abs % 4 === 0) return new Float32Array(bytes.buffer, abs, n);
      return new Float32Array(bytes.slice(at, at + n * 4).buffer);
    case 'F16': {
      const u16 = abs % 2 === 0 ? new Uint16Array(bytes.buffer, abs, n) : new Uint16Array(bytes.slice(at, at + n * 2).buffer);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = f16ToF32(u16[i]!);
      return out;
    }
    case 'BF16': {
      const u16 = abs % 2 === 0 ? new Uint16Array(bytes.buffer, abs, n) : new Uint16Array(bytes.slice(at, at + n * 2).buffer);
      const out = new Float32Array(n);
      const o32 = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) o32[i] = u16[i]! << 16;
      return out;
    }
    case 'F64': {
      const f64 = abs % 8 === 0 ? new Float64Array(bytes.buffer, abs, n) : new Float64Array(bytes.slice(at, at + n * 8).buffer);
      return Float32Array.from(f64);
    }
    default:
      throw new LabError('model-weights', `tensor "${name}" has dtype ${dtype}, expected a floating-point tensor`, { file }, 'F32, F16, BF16 or F64');
  }
}

const f16Table = (() => {
  // Exact IEEE half → single conversion for all 65,536 bit patterns.
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const s = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 0x1f;
    const m = h & 0x3ff;
    if (e === 0) t[h] = s * m * 2 ** -24;
    else if (e === 31) t[h] = m ? NaN : s * Infinity;
    else t[h] = s * (1 + m / 1024) * 2 ** (e - 15);
  }
  return t;
})();

export function f16ToF32(h: number): number {
  return f16Table[h & 0xffff]!;
}

/** Round-to-nearest-even float32 → half bits (used by the writer and the tiny-model generator). */
const scratchF = new Float32Array(1);
const scratchU = new Uint32Array(scratchF.buffer);

export function f32ToF16(x: number): number {
  scratchF[0] = x;
  const u = scratchU[0]!;
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  let mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && (half & 1))) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1))) half++;
  return sign | half;
}

/** float32 → bfloat16 bits, round to nearest even. */
export function f32ToBF16(x: number): number {
  scratchF[0] = x;
  const u = scratchU[0]!;
  if ((u & 0x7f800000) === 0x7f800000 && (u & 0x7fffff)) return (u >>> 16) | 0x40;
  const lsb = (u >>> 16) & 1;
  return ((u + 0x7fff + lsb) >>> 16) & 0xffff;
}

export interface TensorToWrite {
  name: string;
  shape: number[];
  data: Float32Array;
  /** Storage dtype; default F32. */
  dtype?: 'F32' | 'F16' | 'BF16';
}

/** Writes a safetensors file. Tensors are stored in name order, 8-byte aligned header as the reference writer does. */
export function writeSafetensors(tensors: TensorToWrite[], metadata: Record<string, string> = {}): Uint8Array {
  const sorted = [...tensors].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let off = 0;
  for (const t of sorted) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) {
      throw new LabError('model-weights', `tensor "${t.name}": ${t.data.length} values for shape [${t.shape.join(', ')}]`, {}, `${n} values`);
    }
    const dtype = t.dtype ?? 'F32';
    const size = n * (dtype === 'F32' ? 4 : 2);
    header[t.name] = { dtype, shape: t.shape, data_offsets: [off, off + size] };
    off += size;
  }
  let json = JSON.stringify(header);
  const enc = new TextEncoder();
  let hb = enc.encode(json);
  const pad = (8 - (hb.length % 8)) % 8;
  if (pad) {
    json += ' '.repeat(pad);
    hb = enc.encode(json);
  }
  const out = new Uint8Array(8 + hb.length + off);
  new DataView(out.buffer).setBigUint64(0, BigInt(hb.length), true);
  out.set(hb, 8);
  let at = 8 + hb.length;
  for (const t of sorted) {
    const dtype = t.dtype ?? 'F32';
    if (dtype === 'F32') {
      out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
      at += t.data.byteLength;
    } else {
      const conv = dtype === 'F16' ? f32ToF16 : f32ToBF16;
      const dv = new DataView(out.buffer, at, t.data.length * 2);
      for (let i = 0; i < t.data.length; i++) dv.setUint16(i * 2, conv(t.data[i]!), true);
      at += t.data.length * 2;
    }
  }
  return out;
}
