/**
 * LayerNorm over rows of H values, forward and backward (the post-LN layers
 * of BERT: y = γ·(x − μ)·rstd + β). The forward keeps (μ, rstd) per row for
 * the backward; the backward is two kernels because dx needs row reductions
 * and dγ, dβ column reductions.
 */
import { reduceWgsl, type KernelDef } from './kernel.ts';

const ROW_REDUCE = reduceWgsl(64);

/** One workgroup per row: out = LN(x); stats[2·row] = μ, stats[2·row+1] = rstd. γ, β at W[gOff], W[bOff]. */
export const layerNormForward: KernelDef = {
  name: 'layernorm-fwd',
  uniforms: [['H', 'u32'], ['xOff', 'u32'], ['gOff', 'u32'], ['bOff', 'u32'], ['eps', 'f32']],
  bindings: [{ name: 'X', access: 'read' }, { name: 'W', access: 'read' }, { name: 'Y', access: 'read_write' }, { name: 'S', access: 'read_write' }],
  body: /* wgsl */ `${ROW_REDUCE}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  let row = wg.x + wg.y * ng.x;
  let t = lid.x;
  let base = u.xOff + row * u.H;
  var s = 0.0;
  for (var i = t; i < u.H; i = i + 64u) { s = s + X[base + i]; }
  let mean = reduceSum(s, t) / f32(u.H);
  var q = 0.0;
  for (var i = t; i < u.H; i = i + 64u) { let d = X[base + i] - mean; q = q + d * d; }
  let rstd = 1.0 / sqrt(reduceSum(q, t) / f32(u.H) + u.eps);
  for (var i = t; i < u.H; i = i + 64u) {
    Y[row * u.H + i] = (X[base + i] - mean) * rstd * W[u.gOff + i] + W[u.bOff + i];
  }
  if (t == 0u) { S[2u * row] = mean; S[2u * row + 1u] = rstd; }
}`,
};

/** One workgroup per row: dx = rstd·(g − mean(g) − x̂·mean(g·x̂)), g = dy·γ. */
export const layerNormBackwardRows: KernelDef = {
  name: 'layernorm-bwd-rows',
  uniforms: [['H', 'u32'], ['gOff', 'u32']],
  bindings: [{ name: 'DY', access: 'read' }, { name: 'X', access: 'read' }, { name: 'S', access: 'read' }, { name: 'W', access: 'read' }, { name: 'DX', access: 'read_write' }],
  body: /* wgsl */ `${ROW_REDUCE}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  let row = wg.x + wg.y * ng.x;
  let t = lid.x;
  let base = row * u.H;
  let mean = S[2u * row];
  let rstd = S[2u * row + 1u];
  var sg = 0.0;
  var sgx = 0.0;
  for (var i = t; i < u.H; i = i + 64u) {
    let g = DY[base + i] * W[u.gOff + i];
    sg = sg + g;
    sgx = sgx + g * (X[base + i] - mean) * rstd;
  }
  let mg = reduceSum(sg, t) / f32(u.H);
  let mgx = reduceSum(sgx, t) / f32(u.H);
  for (var i = t; i < u.H; i = i + 64u) {
    let xh = (X[base + i] - mean) * rstd;
    DX[base + i] = rstd * (DY[base + i] * W[u.gOff + i] - mg - xh * mgx);
  }
}`,
};

/**
 * dγ += Σ_rows dy·x̂ and dβ += Σ_rows dy, into G. A workgroup takes 64 columns and
 * 4 strips of rows, summed in a fixed order (the same result on every run).
 */
export const layerNormBackwardColumns: KernelDef = {
  name: 'layernorm-bwd-cols',
  uniforms: [['H', 'u32'], ['rows', 'u32'], ['gOff', 'u32'], ['bOff', 'u32']],
  bindings: [{ name: 'DY', access: 'read' }, { name: 'X', access: 'read' }, { name: 'S', access: 'read' }, { name: 'G', access: 'read_write' }],
  body: /* wgsl */ `
var<workgroup> pg: array<array<f32, 64>, 4>;
var<workgroup> pb: array<array<f32, 64>, 4>;
@compute @workgroup_size(64, 4)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let c = wg.x * 64u + lid.x;
  var sg = 0.0;
  var sb = 0.0;
  if (c < u.H) {
    for (var r = lid.y; r < u.rows; r = r + 4u) {
      let dy = DY[r * u.H + c];
      sg = sg + dy * (X[r * u.H + c] - S[2u * r]) * S[2u * r + 1u];
      sb = sb + dy;
    }
  }
  pg[lid.y][lid.x] = sg;
  pb[lid.y][lid.x] = sb;
  workgroupBarrier();
  if (lid.y == 0u && c < u.H) {
    G[u.gOff + c] = G[u.gOff + c] + ((pg[0][lid.x] + pg[1][lid.x]) + (pg[2][lid.x] + pg[3][lid.x]));
    G[u.bOff + c] = G[u.bOff + c] + ((pb[0][lid.x] + pb[1][lid.x]) + (pb[2][lid.x] + pb[3][lid.x]));
  }
}`,
};
