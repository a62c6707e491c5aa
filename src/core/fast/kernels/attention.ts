/**
 * Multi-head self-attention on the packed projections QKV [B·S, 3H] (row t:
 * q | k | v, head h at columns h·dh … h·dh + dh of each), one workgroup per
 * (sequence·head, query row):
 * - forward: scores q·k/√dh with the padding mask, softmax, the weighted sum
 *   of v into the context, keeping the probabilities for the backward;
 * - backward (rows): dP = dctx·vᵀ, dS = P ⊙ (dP − Σ P·dP), dQ = dS·K/√dh; dS is
 *   kept so dK = dSᵀ·Q/√dh and dV = Pᵀ·dctx are two batched products
 *   (matmul.ts), which need no atomics.
 * Sequences up to 512 tokens (BERT's limit): scores live in workgroup memory.
 */
import { reduceWgsl, type KernelDef } from './kernel.ts';

export const MAX_SEQ = 512;

const COMMON = `
var<workgroup> sc: array<f32, ${MAX_SEQ}>;${reduceWgsl(64)}`;

const UNIFORMS = [['S', 'u32'], ['H', 'u32'], ['heads', 'u32'], ['dh', 'u32'], ['scale', 'f32']] as const;

export const attentionForward: KernelDef = {
  name: 'attention-fwd',
  uniforms: UNIFORMS,
  bindings: [{ name: 'QKV', access: 'read' }, { name: 'MASK', access: 'read' }, { name: 'P', access: 'read_write' }, { name: 'CTX', access: 'read_write' }],
  body: /* wgsl */ `${COMMON}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = wg.x;
  let z = wg.y;
  let b = z / u.heads;
  let h = z % u.heads;
  let t = lid.x;
  let H3 = 3u * u.H;
  let qBase = (b * u.S + i) * H3 + h * u.dh;
  var mx = -3.0e38;
  for (var j = t; j < u.S; j = j + 64u) {
    let kBase = (b * u.S + j) * H3 + u.H + h * u.dh;
    var s = 0.0;
    for (var d = 0u; d < u.dh; d = d + 1u) { s = s + QKV[qBase + d] * QKV[kBase + d]; }
    s = s * u.scale + (1.0 - MASK[b * u.S + j]) * -1.0e9;
    sc[j] = s;
    mx = max(mx, s);
  }
  let m = reduceMax(mx, t);
  var sum = 0.0;
  for (var j = t; j < u.S; j = j + 64u) { let e = exp(sc[j] - m); sc[j] = e; sum = sum + e; }
  let inv = 1.0 / reduceSum(sum, t);
  let pBase = (z * u.S + i) * u.S;
  for (var j = t; j < u.S; j = j + 64u) { let p = sc[j] * inv; sc[j] = p; P[pBase + j] = p; }
  workgroupBarrier();
  for (var d = t; d < u.dh; d = d + 64u) {
    var acc = 0.0;
    for (var j = 0u; j < u.S; j = j + 1u) { acc = acc + sc[j] * QKV[(b * u.S + j) * H3 + 2u * u.H + h * u.dh + d]; }
    CTX[(b * u.S + i) * u.H + h * u.dh + d] = acc;
  }
}`,
};

/** Writes dS (for dK, dV) and dQ into DQKV's q columns. */
export const attentionBackwardRows: KernelDef = {
  name: 'attention-bwd-rows',
  uniforms: UNIFORMS,
  bindings: [
    { name: 'QKV', access: 'read' }, { name: 'P', access: 'read' }, { name: 'DCTX', access: 'read' },
    { name: 'DS', access: 'read_write' }, { name: 'DQKV', access: 'read_write' },
  ],
  body: /* wgsl */ `${COMMON}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = wg.x;
  let z = wg.y;
  let b = z / u.heads;
  let h = z % u.heads;
  let t = lid.x;
  let H3 = 3u * u.H;
  let dBase = (b * u.S + i) * u.H + h * u.dh;
  let pBase = (z * u.S + i) * u.S;
  var part = 0.0;
  for (var j = t; j < u.S; j = j + 64u) {
    let vBase = (b * u.S + j) * H3 + 2u * u.H + h * u.dh;
    var dp = 0.0;
    for (var d = 0u; d < u.dh; d = d + 1u) { dp = dp + DCTX[dBase + d] * QKV[vBase + d]; }
    sc[j] = dp;
    part = part + P[pBase + j] * dp;
  }
  let tot = reduceSum(part, t);
  for (var j = t; j < u.S; j = j + 64u) {
    let ds = P[pBase + j] * (sc[j] - tot);
    sc[j] = ds;
    DS[pBase + j] = ds;
  }
  workgroupBarrier();
  for (var d = t; d < u.dh; d = d + 64u) {
    var acc = 0.0;
    for (var j = 0u; j < u.S; j = j + 1u) { acc = acc + sc[j] * QKV[(b * u.S + j) * H3 + u.H + h * u.dh + d]; }
    DQKV[(b * u.S + i) * H3 + h * u.dh + d] = acc * u.scale;
  }
}`,
};
