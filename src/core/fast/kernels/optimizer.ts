/**
 * The optimizer on flat parameter buffers: the squared gradient norm in two
 * fixed-order reductions (the same sum every run), then AdamW over a whole
 * parameter group in one dispatch with the clip coefficient computed on the
 * GPU from that norm — so the step needs no host read before the update.
 * A non-finite norm or loss leaves weights and moments untouched (the host then
 * reports the step as failed, as the tfjs path does before its update).
 */
import { reduceWgsl, type KernelDef } from './kernel.ts';

/**
 * PyTorch's AdamW update of one weight, in the order of ../../train/optimizer.ts: returns (w, m, v).
 * decay = 1 − lr·wd, omb = 1 − β and the bias corrections bc = 1 − β^t come from the host, rounded once.
 */
export const ADAMW_WGSL = /* wgsl */ `
fn adamw(w: f32, g: f32, m: f32, v: f32, lr: f32, b1: f32, omb1: f32, b2: f32, omb2: f32, eps: f32, bc1: f32, bc2: f32, decay: f32) -> vec3<f32> {
  let m1 = m * b1 + g * omb1;
  let v1 = v * b2 + (g * g) * omb2;
  let update = (m1 / bc1) / (sqrt(v1 / bc2) + eps);
  return vec3<f32>(w * decay - update * lr, m1, v1);
}`;

export const PARTIALS = 256;

/** PARTIALS workgroups of 256 threads: OUT[slot + wg] = Σ G[start … start + n)² over a grid-strided share. */
export const sumSquares: KernelDef = {
  name: 'sum-squares',
  uniforms: [['start', 'u32'], ['n', 'u32'], ['slot', 'u32']],
  bindings: [{ name: 'G', access: 'read' }, { name: 'OUT', access: 'read_write' }],
  body: /* wgsl */ `
${reduceWgsl(256)}
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  var s = 0.0;
  for (var i = wg.x * 256u + lid.x; i < u.n; i = i + ${PARTIALS}u * 256u) { let g = G[u.start + i]; s = s + g * g; }
  let total = reduceSum(s, lid.x);
  if (lid.x == 0u) { OUT[u.slot + wg.x] = total; }
}`,
};

/** One workgroup: NORM[0] = Σ PART[0 … count) (the squared gradient norm), NORM[1] = Σ LOSS[0 … lossCount). */
export const sumPartials: KernelDef = {
  name: 'sum-partials',
  uniforms: [['count', 'u32'], ['lossCount', 'u32']],
  bindings: [{ name: 'PART', access: 'read' }, { name: 'LOSS', access: 'read' }, { name: 'NORM', access: 'read_write' }],
  body: /* wgsl */ `
${reduceWgsl(256)}
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>) {
  var s = 0.0;
  for (var i = lid.x; i < u.count; i = i + 256u) { s = s + PART[i]; }
  var l = 0.0;
  for (var i = lid.x; i < u.lossCount; i = i + 256u) { l = l + LOSS[i]; }
  let sq = reduceSum(s, lid.x);
  let loss = reduceSum(l, lid.x);
  if (lid.x == 0u) { NORM[0] = sq; NORM[1] = loss; }
}`,
};

/**
 * AdamW over W[start … start + n) with gradient G (PyTorch's update, in the order of
 * ../../train/optimizer.ts), the gradient first scaled by min(1, maxNorm / (‖g‖ + 1e-6)) when clip = 1.
 */
export const adamwFlat: KernelDef = {
  name: 'adamw-flat',
  uniforms: [
    ['lr', 'f32'], ['b1', 'f32'], ['omb1', 'f32'], ['b2', 'f32'], ['omb2', 'f32'], ['eps', 'f32'], ['bc1', 'f32'], ['bc2', 'f32'],
    ['decay', 'f32'], ['maxNorm', 'f32'], ['clip', 'u32'], ['start', 'u32'], ['n', 'u32'],
  ],
  bindings: [
    { name: 'W', access: 'read_write' }, { name: 'G', access: 'read' }, { name: 'M', access: 'read_write' }, { name: 'V', access: 'read_write' },
    { name: 'NORM', access: 'read' },
  ],
  body: /* wgsl */ `${ADAMW_WGSL}
fn finite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  let i = gid.x + gid.y * ng.x * 256u;
  if (i >= u.n) { return; }
  let sq = NORM[0];
  if (!finite(sq) || !finite(NORM[1])) { return; }
  var gi = G[u.start + i];
  if (u.clip == 1u) {
    let coef = u.maxNorm / (sqrt(sq) + 1e-6);
    if (coef < 1.0) { gi = gi * coef; }
  }
  let k = u.start + i;
  let r = adamw(W[k], gi, M[k], V[k], u.lr, u.b1, u.omb1, u.b2, u.omb2, u.eps, u.bc1, u.bc2, u.decay);
  W[k] = r.x;
  M[k] = r.y;
  V[k] = r.z;
}`,
};
