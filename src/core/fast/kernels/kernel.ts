/**
 * How a fast-path kernel is described: its uniforms (named 32-bit fields, one
 * 256-byte slot), its storage bindings, and the WGSL body with its entry point.
 * The recorder (../recorder.ts) turns a definition into a pipeline once per
 * device and a dispatch into one bind group over one uniform slot.
 */
export type Scalar = 'u32' | 'f32';

export interface Binding {
  name: string;
  access: 'read' | 'read_write';
  /** Element type of the storage array; f32 unless said. */
  type?: Scalar;
}

export interface KernelDef {
  /** Also the pipeline cache key, with the variant: one name per distinct WGSL text. */
  name: string;
  uniforms: readonly (readonly [string, Scalar])[];
  bindings: readonly Binding[];
  /** WGSL after the declarations: helper functions and `@compute … fn main(…)`. */
  body: string;
}

export const UNIFORM_SLOT_BYTES = 256;

export function wgslOf(def: KernelDef): string {
  const fields = def.uniforms.map(([n, t]) => `  ${n}: ${t},`).join('\n');
  const binds = def.bindings
    .map((b, i) => `@group(0) @binding(${i + 1}) var<storage, ${b.access}> ${b.name}: array<${b.type ?? 'f32'}>;`)
    .join('\n');
  return `struct U {\n${fields}\n};\n@group(0) @binding(0) var<uniform> u: U;\n${binds}\n${def.body}`;
}

/** The uniform slot of one dispatch; every field must be given (a missing one is a bug, not a zero). */
export function packUniforms(def: KernelDef, values: Readonly<Record<string, number>>): Uint32Array {
  if (def.uniforms.length * 4 > UNIFORM_SLOT_BYTES) throw new Error(`${def.name}: too many uniforms`);
  const out = new Uint32Array(UNIFORM_SLOT_BYTES / 4);
  const f = new Float32Array(out.buffer);
  def.uniforms.forEach(([n, t], i) => {
    const v = values[n];
    if (v === undefined || !Number.isFinite(v)) throw new Error(`${def.name}: uniform ${n} is ${v}`);
    if (t === 'f32') f[i] = v;
    else {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`${def.name}: uniform ${n} = ${v} is not a u32`);
      out[i] = v;
    }
  });
  return out;
}

/**
 * Tree reductions over one workgroup of `size` threads (a power of two): reduceSum and reduceMax, through a
 * workgroup array `red`. Every thread must call them (they hold barriers); the result is the same in every thread.
 */
export function reduceWgsl(size: number): string {
  const fn = (name: string, op: string) => `
fn ${name}(v: f32, t: u32) -> f32 {
  red[t] = v;
  workgroupBarrier();
  for (var s = ${size / 2}u; s > 0u; s = s >> 1u) {
    if (t < s) { red[t] = ${op}; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}`;
  return `\nvar<workgroup> red: array<f32, ${size}>;${fn('reduceSum', 'red[t] + red[t + s]')}${fn('reduceMax', 'max(red[t], red[t + s])')}\n`;
}

/** Activation functions of the encoder and its Dense heads, forward and derivative, in WGSL. */
export const ACTIVATIONS_WGSL = /* wgsl */ `
fn erf_approx(x: f32) -> f32 {
  // Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): WGSL has no erf.
  let s = sign(x);
  let a = abs(x);
  let t = 1.0 / (1.0 + 0.3275911 * a);
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-a * a);
  return s * y;
}
fn tanh_safe(x: f32) -> f32 {
  // Some implementations compute tanh as a ratio of exponentials that overflows past |x| ≈ 44.
  return tanh(clamp(x, -15.0, 15.0));
}
fn gelu(x: f32) -> f32 { return 0.5 * x * (1.0 + erf_approx(x * 0.7071067811865476)); }
fn gelu_grad(x: f32) -> f32 {
  return 0.5 * (1.0 + erf_approx(x * 0.7071067811865476)) + x * 0.3989422804014327 * exp(-0.5 * x * x);
}
fn gelu_new(x: f32) -> f32 {
  return 0.5 * x * (1.0 + tanh_safe(0.7978845608028654 * (x + 0.044715 * x * x * x)));
}
fn gelu_new_grad(x: f32) -> f32 {
  let t = tanh_safe(0.7978845608028654 * (x + 0.044715 * x * x * x));
  return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * 0.7978845608028654 * (1.0 + 3.0 * 0.044715 * x * x);
}
fn relu(x: f32) -> f32 { return max(x, 0.0); }
fn relu_grad(x: f32) -> f32 { return select(0.0, 1.0, x > 0.0); }
fn identity(x: f32) -> f32 { return x; }
fn identity_grad(x: f32) -> f32 { return 1.0; }
fn tanh_act(x: f32) -> f32 { return tanh_safe(x); }
fn tanh_act_grad(x: f32) -> f32 { let t = tanh_safe(x); return 1.0 - t * t; }
fn sigmoid_act(x: f32) -> f32 { return 1.0 / (1.0 + exp(-clamp(x, -80.0, 80.0))); }
fn sigmoid_act_grad(x: f32) -> f32 { let s = sigmoid_act(x); return s * (1.0 - s); }
`;

export type Activation = 'gelu' | 'gelu_new' | 'relu' | 'identity' | 'tanh' | 'sigmoid';

/** The WGSL function names of an activation and its derivative. */
export function activationFns(a: Activation): { fwd: string; grad: string } {
  switch (a) {
    case 'tanh': return { fwd: 'tanh_act', grad: 'tanh_act_grad' };
    case 'sigmoid': return { fwd: 'sigmoid_act', grad: 'sigmoid_act_grad' };
    default: return { fwd: a, grad: `${a}_grad` };
  }
}
