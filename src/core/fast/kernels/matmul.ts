/**
 * The fast path's one matrix product: C[z] = α · A[z] · B[z] (+ epilogue), a
 * 64×64 output tile per workgroup of 16×16 threads (4×4 outputs each),
 * K in steps of 16 through workgroup memory.
 *
 * Every operand is addressed by strides, so transposes, head splits and
 * batched attention products are indexing, never a copy:
 *   A(z, m, k) = A[aOff + zo·aZo + zi·aZi + m·aM + (k % kIn)·aK + (k / kIn)·aKo]
 * with z = zo·nInner + zi (batch over (sequence, head) without a reshape) and
 * k split into kIn-sized pieces (the q, k and v weights are three blocks:
 * dX = dQKV · [Wq Wk Wv]ᵀ is one product with K = 3H).
 *
 * The epilogue, chosen per variant, fuses what would be separate ops:
 * bias (from B's block, so a layer's weight and bias stay one binding),
 * activation with its pre-activation stored for the backward, the derivative
 * of an activation (the backward of bias + GELU), a residual add, and
 * accumulation into C (gradients). `onesRow` makes A's last row all ones, so
 * a weight gradient and its bias gradient are one product: [Xᵀ; 1]·dY.
 */
import { ACTIVATIONS_WGSL, activationFns, type Activation, type KernelDef } from './kernel.ts';

export interface MatmulVariant {
  bias?: boolean;
  /** Apply after the bias; `storePre` writes the value before it into X. */
  act?: Activation;
  storePre?: boolean;
  /** Multiply by act'(X[m, n]) (X holds the pre-activation). */
  actGrad?: Activation;
  residual?: boolean;
  accumulate?: boolean;
  onesRow?: boolean;
}

const FIELDS = [
  'M', 'N', 'K', 'kIn', 'nInner',
  'aOff', 'aZo', 'aZi', 'aM', 'aK', 'aKo',
  'bOff', 'bZo', 'bZi', 'bK', 'bN', 'bKo',
  'cOff', 'cZo', 'cZi', 'cM', 'cN',
  'rOff', 'rZo', 'rZi', 'rM',
  'xOff', 'xM', 'biasOff',
] as const;

export const TILE = 64;

export function matmulKernel(v: MatmulVariant): KernelDef {
  const name = `matmul${v.bias ? '+bias' : ''}${v.act ? `+${v.act}` : ''}${v.storePre ? '+pre' : ''}${v.actGrad ? `+d${v.actGrad}` : ''}${v.residual ? '+res' : ''}${v.accumulate ? '+acc' : ''}${v.onesRow ? '+ones' : ''}`;
  const bindings: KernelDef['bindings'][number][] = [
    { name: 'A', access: 'read' }, { name: 'B', access: 'read' }, { name: 'C', access: 'read_write' },
  ];
  if (v.residual) bindings.push({ name: 'R', access: 'read' });
  if (v.storePre) bindings.push({ name: 'X', access: 'read_write' });
  else if (v.actGrad) bindings.push({ name: 'X', access: 'read' });
  const ones = v.onesRow ? 'if (m == u.M - 1u) { return 1.0; }' : '';
  const epilogue: string[] = ['var r = acc[i][j] * u.alpha;'];
  if (v.bias) epilogue.push('r = r + B[bBase + u.biasOff + n];');
  if (v.act) {
    if (v.storePre) epilogue.push('X[u.xOff + m * u.xM + n] = r;');
    epilogue.push(`r = ${activationFns(v.act).fwd}(r);`);
  }
  if (v.actGrad) epilogue.push(`r = r * ${activationFns(v.actGrad).grad}(X[u.xOff + m * u.xM + n]);`);
  if (v.residual) epilogue.push('r = r + R[u.rOff + zo * u.rZo + zi * u.rZi + m * u.rM + n];');
  epilogue.push('let ci = cBase + m * u.cM + n * u.cN;');
  if (v.accumulate) epilogue.push('r = r + C[ci];');
  epilogue.push('C[ci] = r;');
  const body = /* wgsl */ `
${v.act || v.actGrad ? ACTIVATIONS_WGSL : ''}
var<workgroup> As: array<array<f32, 64>, 16>;
var<workgroup> Bs: array<array<f32, 64>, 16>;
fn loadA(base: u32, m: u32, k: u32) -> f32 {
  if (m >= u.M || k >= u.K) { return 0.0; }
  ${ones}
  return A[base + m * u.aM + (k % u.kIn) * u.aK + (k / u.kIn) * u.aKo];
}
fn loadB(base: u32, k: u32, n: u32) -> f32 {
  if (n >= u.N || k >= u.K) { return 0.0; }
  return B[base + (k % u.kIn) * u.bK + n * u.bN + (k / u.kIn) * u.bKo];
}
@compute @workgroup_size(16, 16, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let z = wg.z;
  let zo = z / u.nInner;
  let zi = z % u.nInner;
  let aBase = u.aOff + zo * u.aZo + zi * u.aZi;
  let bBase = u.bOff + zo * u.bZo + zi * u.bZi;
  let cBase = u.cOff + zo * u.cZo + zi * u.cZi;
  let m0 = wg.y * 64u;
  let n0 = wg.x * 64u;
  let tid = lid.y * 16u + lid.x;
  var acc: array<array<f32, 4>, 4>;
  for (var k0 = 0u; k0 < u.K; k0 = k0 + 16u) {
    for (var r = 0u; r < 4u; r = r + 1u) {
      let e = tid + r * 256u;
      // A tile: 64 rows × 16 k, k fastest; B tile: 16 k × 64 columns, columns fastest.
      As[e % 16u][e / 16u] = loadA(aBase, m0 + e / 16u, k0 + e % 16u);
      Bs[e / 64u][e % 64u] = loadB(bBase, k0 + e / 64u, n0 + e % 64u);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk = kk + 1u) {
      var a: array<f32, 4>;
      var b: array<f32, 4>;
      for (var i = 0u; i < 4u; i = i + 1u) {
        a[i] = As[kk][lid.y * 4u + i];
        b[i] = Bs[kk][lid.x * 4u + i];
      }
      for (var i = 0u; i < 4u; i = i + 1u) {
        for (var j = 0u; j < 4u; j = j + 1u) { acc[i][j] = acc[i][j] + a[i] * b[j]; }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i = i + 1u) {
    let m = m0 + lid.y * 4u + i;
    if (m >= u.M) { continue; }
    for (var j = 0u; j < 4u; j = j + 1u) {
      let n = n0 + lid.x * 4u + j;
      if (n >= u.N) { continue; }
      ${epilogue.join('\n      ')}
    }
  }
}`;
  return { name, uniforms: [...FIELDS.map((f) => [f, 'u32'] as const), ['alpha', 'f32']], bindings, body };
}

/** Workgroups of a product: columns in x, rows in y, batch in z. */
export function matmulGroups(M: number, N: number, Z: number): [number, number, number] {
  return [Math.ceil(N / TILE), Math.ceil(M / TILE), Z];
}
