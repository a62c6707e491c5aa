/**
 * The embedding stage: the sum of word, position and token-type rows per
 * token (its LayerNorm is layer-norm.ts), and the backward as a gather, not
 * a scatter: the host groups the step's token rows by the table row they read
 * (it knows the ids), so each table row's gradient is one thread's sum in a
 * fixed order — deterministic, and no float atomics (WGSL has none).
 */
import type { KernelDef } from './kernel.ts';

/** One workgroup per token row: X[t] = W[word(t)] + W[pos(t)] (+ W[type(t)]); IDX holds 3 element offsets per token. */
export const embeddingForward: KernelDef = {
  name: 'embedding-fwd',
  uniforms: [['H', 'u32'], ['withType', 'u32']],
  bindings: [{ name: 'W', access: 'read' }, { name: 'IDX', access: 'read', type: 'u32' }, { name: 'X', access: 'read_write' }],
  body: /* wgsl */ `
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row = wg.x;
  let w = IDX[3u * row];
  let p = IDX[3u * row + 1u];
  let ty = IDX[3u * row + 2u];
  for (var i = lid.x; i < u.H; i = i + 64u) {
    var v = W[w + i] + W[p + i];
    if (u.withType == 1u) { v = v + W[ty + i]; }
    X[row * u.H + i] = v;
  }
}`,
};

/**
 * One workgroup per (table row touched this step): G[target + i] += Σ DX[row·H + i] over the token rows in
 * ROWS[start … end). LIST holds (target, start, end) triples.
 */
export const embeddingBackward: KernelDef = {
  name: 'embedding-bwd',
  uniforms: [['H', 'u32'], ['count', 'u32']],
  bindings: [{ name: 'DX', access: 'read' }, { name: 'LIST', access: 'read', type: 'u32' }, { name: 'ROWS', access: 'read', type: 'u32' }, { name: 'G', access: 'read_write' }],
  body: /* wgsl */ `
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  let e = wg.x + wg.y * ng.x;
  if (e >= u.count) { return; }
  let dst = LIST[3u * e];
  let start = LIST[3u * e + 1u];
  let end = LIST[3u * e + 2u];
  for (var i = lid.x; i < u.H; i = i + 64u) {
    var s = 0.0;
    for (var r = start; r < end; r = r + 1u) { s = s + DX[ROWS[r] * u.H + i]; }
    G[dst + i] = G[dst + i] + s;
  }
}`,
};

/** Groups token rows by table row, for embeddingBackward: (target offset, start, end) triples and the row list. */
export function scatterPlan(targets: readonly Uint32Array[]): { list: Uint32Array; rows: Uint32Array; count: number } {
  const byTarget = new Map<number, number[]>();
  for (const t of targets) {
    for (let r = 0; r < t.length; r++) {
      const k = t[r]!;
      let l = byTarget.get(k);
      if (!l) byTarget.set(k, (l = []));
      l.push(r);
    }
  }
  const keys = [...byTarget.keys()].sort((a, b) => a - b);
  const list = new Uint32Array(keys.length * 3);
  const rows = new Uint32Array(targets.reduce((n, t) => n + t.length, 0));
  let at = 0;
  keys.forEach((k, i) => {
    const l = byTarget.get(k)!;
    list.set([k, at, at + l.length], 3 * i);
    rows.set(l, at);
    at += l.length;
  });
  return { list, rows, count: keys.length };
}
