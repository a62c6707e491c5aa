/**
 * One tfjs implementation of the BERT / XLM-RoBERTa / DistilBERT encoder:
 * embeddings (word + position [+ token type]) → LayerNorm → N post-LN layers
 * (multi-head self-attention with padding mask, feed-forward with GELU) →
 * pooling (masked mean or CLS) → optional Dense → optional L2 normalization.
 *
 * Every weight is a tf.Variable so the model can be fine-tuned; linear weights are
 * held as [in, out] (transposed from PyTorch's [out, in]) so that the forward pass
 * uses only plain matmuls, which matters on wasm (../shared/docs/PLATFORM.md).
 */
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../errors.ts';
import type { Pooling } from '../run-config.ts';
import { kernelsFor, embedRows, geluErf, layerNorm2d, matMulFast, type KernelChoice } from '../tf/ops.ts';
import { positionIds, maxSequenceLength, type EncoderConfig } from './config.ts';
import { layerModuleName, paramSpecs, type LayerRole, type ParamSpec } from './weights.ts';
import type { DenseActivation, HeadConfig } from './st-layout.ts';
import type { VocabTrim } from './trim.ts';

/** One padded batch of token ids, row-major [batch, seq]. */
export interface TokenBatch {
  ids: Int32Array;
  /** 1 for real tokens, 0 for padding. */
  mask: Int32Array | Uint8Array;
  batch: number;
  seq: number;
  /** Token type (segment) ids; zeros when absent. */
  typeIds?: Int32Array;
}

export interface FreezeOptions {
  /** Keep word/position/type embeddings and their LayerNorm fixed. */
  freezeEmbeddings?: boolean;
  /** Keep layers 0 … N-1 fixed. */
  freezeBottomLayers?: number;
}

export interface EncoderParam {
  spec: ParamSpec;
  variable: tf.Variable;
}

let instanceCounter = 0;

/** Builds a TokenBatch from equal-length rows (already padded, already remapped if the vocabulary was trimmed). */
export function toTokenBatch(ids: ArrayLike<number>[], mask: ArrayLike<number>[], typeIds?: ArrayLike<number>[]): TokenBatch {
  const batch = ids.length;
  const seq = ids[0]?.length ?? 0;
  if (batch === 0 || seq === 0) throw new LabError('invalid-argument', 'empty batch: need at least one row with one token');
  if (mask.length !== batch) throw new LabError('invalid-argument', `${batch} id rows but ${mask.length} mask rows`);
  const out: TokenBatch = { ids: new Int32Array(batch * seq), mask: new Int32Array(batch * seq), batch, seq };
  if (typeIds) out.typeIds = new Int32Array(batch * seq);
  for (let b = 0; b < batch; b++) {
    const r = ids[b]!;
    const m = mask[b]!;
    if (r.length !== seq || m.length !== seq) {
      throw new LabError('invalid-argument', `row ${b} has ${r.length} ids and ${m.length} mask values; every row must be padded to ${seq}`);
    }
    for (let s = 0; s < seq; s++) {
      out.ids[b * seq + s] = r[s]!;
      out.mask[b * seq + s] = m[s]!;
      if (typeIds && out.typeIds) out.typeIds[b * seq + s] = typeIds[b]![s]!;
    }
  }
  return out;
}

export class Encoder {
  readonly config: EncoderConfig;
  readonly head: HeadConfig;
  /** Parameters by Hugging Face name (unprefixed), in a stable order. */
  readonly params = new Map<string, EncoderParam>();
  /** Dense head variables: [weight [in,out], bias?] per Dense module. */
  readonly denseVars: { weight: tf.Variable; bias: tf.Variable | undefined; activation: DenseActivation }[] = [];
  /** Overrides the pooling from the model's sentence-transformers config when set. */
  poolingOverride: Pooling | undefined;
  /** Set by trimEncoderVocab: how token ids of the original tokenizer map to this model's rows. */
  vocabTrim: VocabTrim | undefined;
  /** Loader decisions worth showing the user (ignored head tensors, default pooling, trimming). */
  readonly notes: string[] = [];
  private readonly scope: string;
  private freeze: Required<FreezeOptions> = { freezeEmbeddings: false, freezeBottomLayers: 0 };
  private disposed = false;

  constructor(config: EncoderConfig, head: HeadConfig, tensors: (spec: ParamSpec) => Float32Array, opts: FreezeOptions & { pooling?: Pooling } = {}) {
    this.config = config;
    this.head = head;
    this.poolingOverride = opts.pooling;
    this.scope = `encoder${++instanceCounter}`;
    try {
      for (const spec of paramSpecs(config)) this.addParam(spec, tensors(spec));
      for (const [i, d] of head.dense.entries()) {
        const w = tf.tidy(() => tf.transpose(tf.tensor2d(d.weight, [d.outFeatures, d.inFeatures])));
        const weight = tf.variable(w, true, `${this.scope}/dense${i}/linear.weight`);
        w.dispose();
        const bias = d.bias ? tf.variable(tf.tensor1d(d.bias), true, `${this.scope}/dense${i}/linear.bias`) : undefined;
        this.denseVars.push({ weight, bias, activation: d.activation });
      }
    } catch (e) {
      this.dispose();
      throw e;
    }
    this.setFreeze(opts);
  }

  private addParam(spec: ParamSpec, data: Float32Array): void {
    const name = `${this.scope}/${spec.name}`;
    let v: tf.Variable;
    if (spec.linear) {
      const t = tf.tidy(() => tf.transpose(tf.tensor2d(data, spec.shape as [number, number])));
      v = tf.variable(t, true, name);
      t.dispose();
    } else {
      const t = tf.tensor(data, spec.shape);
      v = tf.variable(t, true, name);
      t.dispose();
    }
    this.params.set(spec.name, { spec, variable: v });
  }

  /** Replaces a parameter's variable (vocabulary trimming); the old one is disposed. */
  replaceParam(name: string, spec: ParamSpec, value: tf.Tensor): void {
    const old = this.params.get(name);
    if (!old) throw new LabError('invalid-argument', `no parameter "${name}"`);
    old.variable.dispose();
    this.params.set(name, { spec, variable: tf.variable(value, true, `${this.scope}/${name}#${++instanceCounter}`) });
    this.setFreeze(this.freeze);
  }

  get pooling(): Pooling {
    return this.poolingOverride ?? this.head.pooling;
  }

  /** Output dimension of pooled embeddings. */
  get dim(): number {
    const last = this.head.dense[this.head.dense.length - 1];
    return last ? last.outFeatures : this.config.hidden;
  }

  /** Query/passage prefixes the model declares (e.g. e5: `query: `); the tokenizer side prepends them. */
  get prompts(): Record<string, string> {
    return this.head.prompts;
  }

  setFreeze(opts: FreezeOptions): void {
    const n = opts.freezeBottomLayers ?? 0;
    if (!Number.isInteger(n) || n < 0 || n > this.config.layers) {
      throw new LabError('invalid-argument', `freezeBottomLayers ${n} is outside 0 … ${this.config.layers}`);
    }
    this.freeze = { freezeEmbeddings: opts.freezeEmbeddings ?? false, freezeBottomLayers: n };
    for (const { spec, variable } of this.params.values()) {
      const frozen = spec.group === 'embeddings' ? this.freeze.freezeEmbeddings : spec.group < n;
      variable.trainable = !frozen;
    }
  }

  /** Variables an optimizer should update (respecting the freeze options). */
  trainableVariables(): tf.Variable[] {
    const vs = [...this.params.values()].map((p) => p.variable).filter((v) => v.trainable);
    for (const d of this.denseVars) {
      vs.push(d.weight);
      if (d.bias) vs.push(d.bias);
    }
    return vs;
  }

  allVariables(): tf.Variable[] {
    const vs = [...this.params.values()].map((p) => p.variable);
    for (const d of this.denseVars) vs.push(d.weight, ...(d.bias ? [d.bias] : []));
    return vs;
  }

  /** Bytes held by the weights (float32). */
  weightBytes(): number {
    return this.allVariables().reduce((a, v) => a + v.size * 4, 0);
  }

  private p(name: string): tf.Variable {
    const e = this.params.get(name);
    if (!e) throw new LabError('model-weights', `parameter "${name}" is not loaded`);
    return e.variable;
  }

  /** Throws a LabError when the batch does not fit the model (shape, ids, length). */
  checkBatch(b: TokenBatch): void {
    const n = b.batch * b.seq;
    if (b.ids.length !== n || b.mask.length !== n || (b.typeIds && b.typeIds.length !== n)) {
      throw new LabError('invalid-argument', `token batch arrays do not hold batch × seq = ${b.batch} × ${b.seq} values`);
    }
    const maxLen = maxSequenceLength(this.config);
    if (b.seq > maxLen) {
      throw new LabError('invalid-argument', `sequence length ${b.seq} exceeds the model's maximum of ${maxLen} positions`);
    }
    const V = this.p('embeddings.word_embeddings.weight').shape[0]!;
    for (let i = 0; i < n; i++) {
      const id = b.ids[i]!;
      if (id < 0 || id >= V) {
        throw new LabError('invalid-argument', `token id ${id} at row ${Math.floor(i / b.seq)}, position ${i % b.seq} is outside the vocabulary of ${V}`);
      }
    }
  }

  /** Last hidden states [batch, seq, hidden]. Differentiable; call inside tf.tidy / a gradient function. */
  forward(b: TokenBatch, k: KernelChoice = kernelsFor()): tf.Tensor3D {
    this.checkBatch(b);
    let x = this.embeddingStage(b, k);
    const maskAdd = this.attentionMask(b);
    // One tidy per layer: inference frees each layer's intermediates (a 12-layer model
    // at batch 32 × seq 128 would otherwise hold ~2 GB); under a gradient tape the
    // tensors backward needs are kept by tfjs regardless.
    for (let l = 0; l < this.config.layers; l++) {
      const input = x;
      x = tf.tidy(() => this.layerStage(input, l, b, maskAdd, k));
    }
    return tf.reshape(x, [b.batch, b.seq, this.config.hidden]);
  }

  /** Word + position (+ type) embeddings and their LayerNorm: [batch·seq, hidden]. */
  embeddingStage(b: TokenBatch, k: KernelChoice): tf.Tensor2D {
    if (this.disposed) throw new LabError('invalid-argument', 'the encoder was disposed');
    const cfg = this.config;
    const ids = tf.tensor1d(b.ids, 'int32');
    const pos = tf.tensor1d(positionIds(cfg, b.mask, b.batch, b.seq), 'int32');
    let x = tf.add(embedRows(this.p('embeddings.word_embeddings.weight') as unknown as tf.Tensor2D, ids, k),
      embedRows(this.p('embeddings.position_embeddings.weight') as unknown as tf.Tensor2D, pos, k));
    if (cfg.typeVocabSize > 0) {
      const table = this.p('embeddings.token_type_embeddings.weight') as unknown as tf.Tensor2D;
      x = b.typeIds ? tf.add(x, embedRows(table, tf.tensor1d(b.typeIds, 'int32'), k)) : tf.add(x, tf.slice(table, [0, 0], [1, cfg.hidden]));
    }
    return this.layerNorm(x, 'embeddings.LayerNorm');
  }

  /** Additive attention mask: 0 where attended, -1e9 on padding keys; [B, 1, 1, S] broadcasts over heads and queries. */
  attentionMask(b: TokenBatch): tf.Tensor4D {
    return tf.tidy(() => tf.mul(tf.sub(1, tf.tensor4d(Float32Array.from(b.mask), [b.batch, 1, 1, b.seq])), -1e9));
  }

  /** One post-LN transformer layer on [batch·seq, hidden]. */
  layerStage(input: tf.Tensor2D, l: number, b: TokenBatch, maskAdd: tf.Tensor, k: KernelChoice): tf.Tensor2D {
    const cfg = this.config;
    const { batch: B, seq: S } = b;
    const H = cfg.hidden;
    const nh = cfg.heads;
    const dh = H / nh;
    const heads = (t: tf.Tensor, perm: number[]): tf.Tensor => tf.transpose(tf.reshape(t, [B, S, nh, dh]), perm);
    // Scale q (B·nh·S·dh values) rather than the scores (B·nh·S·S).
    const q = tf.mul(heads(this.linear(input, l, 'q', k), [0, 2, 1, 3]), 1 / Math.sqrt(dh)); // [B, nh, S, dh]
    const kt = heads(this.linear(input, l, 'k', k), [0, 2, 3, 1]); // [B, nh, dh, S]: explicit transpose, plain matmul
    const v = heads(this.linear(input, l, 'v', k), [0, 2, 1, 3]);
    const probs = tf.softmax(tf.add(matMulFast(q, kt, k), maskAdd));
    const ctx = tf.reshape(tf.transpose(matMulFast(probs, v, k), [0, 2, 1, 3]), [B * S, H]);
    const a = this.layerNorm(tf.add(this.linear(ctx, l, 'o', k), input), layerModuleName(cfg, l, 'ln1'));
    const f = this.linear(this.activation(this.linear(a, l, 'ffn1', k)), l, 'ffn2', k);
    return this.layerNorm(tf.add(f, a), layerModuleName(cfg, l, 'ln2'));
  }

  /** Pooled (+ Dense, + normalized as configured) embeddings [batch, dim]. Differentiable. */
  pool(b: TokenBatch, k: KernelChoice = kernelsFor()): tf.Tensor2D {
    return this.headStage(tf.reshape(this.forward(b, k), [b.batch * b.seq, this.config.hidden]), b, k);
  }

  /** Pooling, Dense modules and normalization on the last hidden states [batch·seq, hidden]. */
  headStage(x: tf.Tensor2D, b: TokenBatch, k: KernelChoice): tf.Tensor2D {
    const H = this.config.hidden;
    const h = tf.reshape(x, [b.batch, b.seq, H]);
    let e: tf.Tensor2D;
    if (this.pooling === 'cls') {
      e = tf.reshape(tf.slice(h, [0, 0, 0], [b.batch, 1, H]), [b.batch, H]);
    } else {
      const m = tf.tensor(Float32Array.from(b.mask), [b.batch, b.seq, 1]);
      // sentence-transformers: sum(h * mask) / clamp(sum(mask), 1e-9)
      e = tf.div(tf.sum(tf.mul(h, m), 1), tf.maximum(tf.sum(m, 1), 1e-9));
    }
    for (const d of this.denseVars) {
      let y: tf.Tensor2D = matMulFast(e, d.weight, k);
      if (d.bias) y = tf.add(y, d.bias);
      e = denseActivation(y, d.activation);
    }
    if (this.head.normalize) {
      // torch.nn.functional.normalize: x / max(||x||, 1e-12)
      e = tf.div(e, tf.maximum(tf.norm(e, 'euclidean', 1, true), 1e-12));
    }
    return e;
  }

  /** Variables of one stage, in a stable order: 'embeddings', a layer index, or 'head' (Dense modules). */
  stageVariables(stage: 'embeddings' | number | 'head'): tf.Variable[] {
    if (stage === 'head') return this.denseVars.flatMap((d) => (d.bias ? [d.weight, d.bias] : [d.weight]));
    return [...this.params.values()].filter((p) => p.spec.group === stage).map((p) => p.variable);
  }

  /** Current freeze options (lossAndGradients skips the backward pass below the lowest trained stage). */
  get freezeState(): Readonly<Required<FreezeOptions>> {
    return this.freeze;
  }

  /** Inference: pooled embeddings as plain arrays (one Float32Array per row). */
  async embed(b: TokenBatch): Promise<Float32Array[]> {
    const t = tf.tidy(() => this.pool(b));
    const data = (await t.data()) as Float32Array;
    t.dispose();
    const d = t.shape[1];
    return Array.from({ length: b.batch }, (_, i) => data.slice(i * d, (i + 1) * d));
  }

  private linear(x: tf.Tensor, layer: number, role: LayerRole, k: KernelChoice): tf.Tensor2D {
    const m = layerModuleName(this.config, layer, role);
    return tf.add(matMulFast(x as tf.Tensor2D, this.p(`${m}.weight`), k), this.p(`${m}.bias`));
  }

  private layerNorm(x: tf.Tensor, module: string): tf.Tensor2D {
    return layerNorm2d(x as tf.Tensor2D, this.p(`${module}.weight`) as unknown as tf.Tensor1D, this.p(`${module}.bias`) as unknown as tf.Tensor1D, this.config.layerNormEps);
  }

  private activation(x: tf.Tensor): tf.Tensor {
    switch (this.config.hiddenAct) {
      case 'gelu':
        return geluErf(x);
      case 'gelu_new': {
        const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
        return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
      }
      case 'relu':
        return tf.relu(x);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.allVariables()) v.dispose();
  }
}

function denseActivation(y: tf.Tensor2D, a: DenseActivation): tf.Tensor2D {
  switch (a) {
    case 'tanh': return tf.tanh(y);
    case 'relu': return tf.relu(y);
    case 'sigmoid': return tf.sigmoid(y);
    case 'gelu': return tf.mul(tf.mul(y, 0.5), tf.add(1, tf.erf(tf.mul(y, Math.SQRT1_2))));
    case 'identity': return y;
  }
}
