/**
 * From the last hidden states to the contrastive loss and back: pooling
 * (masked mean or CLS), L2 normalization, and in-batch InfoNCE on cosine
 * similarity (../../train/losses/info-nce.ts: rows [0, n) queries, [n, 2n)
 * their positives, the rest hard negatives; `symmetric` adds the
 * passage → query direction). Batches are small (hundreds of rows), so one
 * workgroup per row is plenty.
 */
import { ACTIVATIONS_WGSL, activationFns, reduceWgsl, type Activation, type KernelDef } from './kernel.ts';

const REDUCE = reduceWgsl(64);

/** One workgroup per sequence: E[b] = mean over unmasked tokens (cls: the first token). */
export const poolForward: KernelDef = {
  name: 'pool-fwd',
  uniforms: [['S', 'u32'], ['H', 'u32'], ['cls', 'u32']],
  bindings: [{ name: 'X', access: 'read' }, { name: 'MASK', access: 'read' }, { name: 'E', access: 'read_write' }],
  body: /* wgsl */ `
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let b = wg.x;
  var cnt = 0.0;
  for (var s = 0u; s < u.S; s = s + 1u) { cnt = cnt + MASK[b * u.S + s]; }
  for (var i = lid.x; i < u.H; i = i + 64u) {
    if (u.cls == 1u) { E[b * u.H + i] = X[b * u.S * u.H + i]; continue; }
    var acc = 0.0;
    for (var s = 0u; s < u.S; s = s + 1u) { acc = acc + X[(b * u.S + s) * u.H + i] * MASK[b * u.S + s]; }
    E[b * u.H + i] = acc / max(cnt, 1e-9);
  }
}`,
};

/** One workgroup per token row: DX[t] = dE[b]·mask/count (cls: dE[b] on the first token, 0 elsewhere). */
export const poolBackward: KernelDef = {
  name: 'pool-bwd',
  uniforms: [['S', 'u32'], ['H', 'u32'], ['cls', 'u32']],
  bindings: [{ name: 'DE', access: 'read' }, { name: 'MASK', access: 'read' }, { name: 'DX', access: 'read_write' }],
  body: /* wgsl */ `
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row = wg.x;
  let b = row / u.S;
  let s = row % u.S;
  var cnt = 0.0;
  for (var k = 0u; k < u.S; k = k + 1u) { cnt = cnt + MASK[b * u.S + k]; }
  var f = MASK[row] / max(cnt, 1e-9);
  if (u.cls == 1u) { f = select(0.0, 1.0, s == 0u); }
  for (var i = lid.x; i < u.H; i = i + 64u) { DX[row * u.H + i] = DE[b * u.H + i] * f; }
}`,
};

/** One workgroup per row: N[r] = Y[r] / max(‖Y[r]‖, 1e-12); NORM[r] = max(‖Y[r]‖, 1e-12). */
export const normalizeForward: KernelDef = {
  name: 'normalize-fwd',
  uniforms: [['D', 'u32']],
  bindings: [{ name: 'Y', access: 'read' }, { name: 'N', access: 'read_write' }, { name: 'NORM', access: 'read_write' }],
  body: /* wgsl */ `${REDUCE}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let r = wg.x;
  var q = 0.0;
  for (var i = lid.x; i < u.D; i = i + 64u) { let y = Y[r * u.D + i]; q = q + y * y; }
  let nrm = max(sqrt(reduceSum(q, lid.x)), 1e-12);
  for (var i = lid.x; i < u.D; i = i + 64u) { N[r * u.D + i] = Y[r * u.D + i] / nrm; }
  if (lid.x == 0u) { NORM[r] = nrm; }
}`,
};

/**
 * One workgroup per loss row. Row i < n: query i against the candidates [n, rows) (label: its positive n + i);
 * with `symmetric`, row n + i: positive i against the n queries (label: query i). Writes the row's loss and
 * dLogits (softmax − onehot), both already divided by `denom` (rows averaged, micro-batches, directions).
 */
export const infoNceForward: KernelDef = {
  name: 'infonce-fwd',
  uniforms: [['n', 'u32'], ['rows', 'u32'], ['D', 'u32'], ['invT', 'f32'], ['invDenom', 'f32'], ['lossOff', 'u32']],
  bindings: [{ name: 'N', access: 'read' }, { name: 'DL', access: 'read_write' }, { name: 'LOSS', access: 'read_write' }],
  body: /* wgsl */ `${REDUCE}
var<workgroup> lg: array<f32, 1024>;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row = wg.x;
  let t = lid.x;
  let fwd = row < u.n;
  let me = row;                               // the row's own embedding: query i, or positive i (row n + i)
  let first = select(0u, u.n, fwd);           // candidates: the passages (and negatives), or the queries
  let count = select(u.n, u.rows - u.n, fwd);
  let label = select(row - u.n, row, fwd);
  var mx = -3.0e38;
  for (var c = t; c < count; c = c + 64u) {
    var s = 0.0;
    for (var d = 0u; d < u.D; d = d + 1u) { s = s + N[me * u.D + d] * N[(first + c) * u.D + d]; }
    s = s * u.invT;
    lg[c] = s;
    mx = max(mx, s);
  }
  let m = reduceMax(mx, t);
  var sum = 0.0;
  for (var c = t; c < count; c = c + 64u) { sum = sum + exp(lg[c] - m); }
  let z = reduceSum(sum, t);
  for (var c = t; c < count; c = c + 64u) {
    let p = exp(lg[c] - m) / z;
    DL[row * u.rows + c] = (p - select(0.0, 1.0, c == label)) * u.invDenom;
  }
  if (t == 0u) { LOSS[u.lossOff + row] = (log(z) + m - lg[label]) * u.invDenom; }
}`,
};

/**
 * One workgroup per embedding row r: the gradient of the loss w.r.t. the normalized row (from every loss row
 * that used it), then back through the normalization: dY = (dN − N·(N·dN)) / norm, and, for a Dense head's
 * last activation, times act'(pre).
 */
export function infoNceBackward(act: Activation | undefined): KernelDef {
  return {
    name: `infonce-bwd${act ? `+d${act}` : ''}`,
    uniforms: [['n', 'u32'], ['rows', 'u32'], ['D', 'u32'], ['invT', 'f32'], ['symmetric', 'u32']],
    bindings: [
      { name: 'N', access: 'read' }, { name: 'NORM', access: 'read' }, { name: 'DL', access: 'read' }, { name: 'DY', access: 'read_write' },
      ...(act ? [{ name: 'PRE', access: 'read' } as const] : []),
    ],
    body: /* wgsl */ `${act ? ACTIVATIONS_WGSL : ''}${REDUCE}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let r = wg.x;
  let t = lid.x;
  var dot = 0.0;
  for (var d = t; d < u.D; d = d + 64u) {
    var g = 0.0;
    if (r < u.n) {
      // query r: its own loss row over the candidates; with symmetric, every positive's row (column r)
      for (var c = 0u; c < u.rows - u.n; c = c + 1u) { g = g + DL[r * u.rows + c] * N[(u.n + c) * u.D + d]; }
      if (u.symmetric == 1u) {
        for (var i = 0u; i < u.n; i = i + 1u) { g = g + DL[(u.n + i) * u.rows + r] * N[(u.n + i) * u.D + d]; }
      }
    } else {
      let c = r - u.n;
      for (var i = 0u; i < u.n; i = i + 1u) { g = g + DL[i * u.rows + c] * N[i * u.D + d]; }
      if (u.symmetric == 1u && c < u.n) {
        for (var j = 0u; j < u.n; j = j + 1u) { g = g + DL[(u.n + c) * u.rows + j] * N[j * u.D + d]; }
      }
    }
    g = g * u.invT;
    DY[r * u.D + d] = g;
    dot = dot + g * N[r * u.D + d];
  }
  let s = reduceSum(dot, t);
  for (var d = t; d < u.D; d = d + 64u) {
    var v = (DY[r * u.D + d] - N[r * u.D + d] * s) / NORM[r];
    ${act ? `v = v * ${activationFns(act).grad}(PRE[r * u.D + d]);` : ''}
    DY[r * u.D + d] = v;
  }
}`,
  };
}

/** Candidates per loss row the forward kernel holds in workgroup memory. */
export const MAX_CANDIDATES = 1024;
