/**
 * The WebGPU fast path of a training step: forward, backward and AdamW of the
 * encoder and its contrastive loss in the project's own WGSL kernels
 * (./kernels/), recorded into one command buffer per step on
 * tfjs-backend-webgpu's device. tfjs stays the tensor layer everywhere else:
 * the weights are imported from the encoder's tf.Variables once, kept in
 * three flat buffers (./layout.ts), and copied back into those variables —
 * and the moments into the optimizer's — at the end of every step (GPU copies,
 * no host round trip), so evaluation, checkpoints and the tfjs path see the
 * trained model. The only host read is the loss and gradient norm, after the
 * step's work is queued.
 *
 * Same arithmetic as the tfjs path (../train/step.ts, ../encoder/grads.ts,
 * ../train/optimizer.ts); it keeps every layer's activations instead of
 * recomputing them (GPU memory is what a GPU has). What it does not do — the
 * gradient cache, the paper's loss variant, a shape past its limits — stays
 * on the tfjs path: `fastPathBlocker` says why, and a step it cannot take
 * returns undefined so the caller runs the tfjs step instead.
 */
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../errors.ts';
import { positionIds } from '../encoder/config.ts';
import type { Encoder } from '../encoder/model.ts';
import type { AdamW } from '../train/optimizer.ts';
import type { InfoNceOptions } from '../train/losses/info-nce.ts';
import type { MicroBatch, StepResult } from '../train/step.ts';
import { bufferOfTensor, flushTfjs, MAP_MODE_READ, USAGE, webgpuBackend, writableBufferOfTensor, type GpuBuffer, type GpuDevice, type WebGpuBackendLike } from './gpu.ts';
import { flatLayout, type FlatLayout, type GroupName } from './layout.ts';
import { grid, Recorder, type LaunchCounts, type Phase } from './recorder.ts';
import type { Activation } from './kernels/kernel.ts';
import { matmulGroups, matmulKernel, type MatmulVariant } from './kernels/matmul.ts';
import { layerNormBackwardColumns, layerNormBackwardRows, layerNormForward } from './kernels/layer-norm.ts';
import { attentionBackwardRows, attentionForward, MAX_SEQ } from './kernels/attention.ts';
import { embeddingBackward, embeddingForward, scatterPlan } from './kernels/embedding.ts';
import { infoNceBackward, infoNceForward, MAX_CANDIDATES, normalizeForward, poolBackward, poolForward } from './kernels/head.ts';
import { adamwFlat, PARTIALS, sumPartials, sumSquares } from './kernels/optimizer.ts';

export interface FastStepOptions {
  lr: number;
  maxGradNorm?: number;
  loss?: InfoNceOptions;
}

export interface FastStepResult extends StepResult {
  /** Dispatches recorded for this step, per phase. */
  launches: LaunchCounts;
}

const MAX_ROWS = 65535;
const GROUPS: GroupName[] = ['embeddings', 'layers', 'head'];

/** Why a run cannot use the fast path (undefined: it can). */
export function fastPathBlocker(enc: Encoder, o: { cacheChunk?: number | undefined; loss?: InfoNceOptions | undefined }): string | undefined {
  if (tf.getBackend() !== 'webgpu') return `the ${tf.getBackend()} backend is active (the fast path is WebGPU's)`;
  if (o.cacheChunk !== undefined) return 'the gradient cache (cacheChunk) runs on the tfjs path';
  if (o.loss?.variant === 'paper') return "the paper's InfoNCE variant runs on the tfjs path";
  const limit = webgpuBackend().device.limits.maxStorageBufferBindingSize;
  const layout = flatLayout(enc);
  for (const g of GROUPS) {
    if (layout.sizes[g] * 4 > limit) return `the ${g} weights (${(layout.sizes[g] * 4 / 2 ** 20).toFixed(0)} MB) exceed the adapter's ${(limit / 2 ** 20).toFixed(0)} MB storage binding`;
  }
  return undefined;
}

interface Mat { buf: GpuBuffer; off?: number; zo?: number; zi?: number; row: number; col: number; ko?: number }

export class FastTrainer {
  private readonly backend: WebGpuBackendLike;
  private readonly device: GpuDevice;
  private readonly rec: Recorder;
  private readonly layout: FlatLayout;
  private readonly W: Record<GroupName, GpuBuffer>;
  private readonly G: Record<GroupName, GpuBuffer>;
  private readonly M: Record<GroupName, GpuBuffer>;
  private readonly V: Record<GroupName, GpuBuffer>;
  private readonly pool = new Map<string, GpuBuffer>();
  /** Buffers outgrown while a step was being recorded: its recorded work still uses them until submitted. */
  private graveyard: GpuBuffer[] = [];
  private staging: GpuBuffer | undefined;
  private stale = true;
  private disposed = false;
  /** Trained element ranges per group ([start, end)). */
  private readonly trained: Record<GroupName, [number, number]>;

  constructor(private readonly enc: Encoder, private readonly opt: AdamW) {
    const why = fastPathBlocker(enc, {});
    if (why) throw new LabError('backend', `the WebGPU fast path cannot run: ${why}`);
    this.backend = webgpuBackend();
    this.device = this.backend.device;
    this.rec = new Recorder(this.device);
    this.layout = flatLayout(enc);
    const make = (g: GroupName): GpuBuffer => this.device.createBuffer({ size: Math.max(16, this.layout.sizes[g] * 4), usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST });
    const four = (): Record<GroupName, GpuBuffer> => ({ embeddings: make('embeddings'), layers: make('layers'), head: make('head') });
    this.W = four();
    this.G = four();
    this.M = four();
    this.V = four();
    const { freezeEmbeddings, freezeBottomLayers } = enc.freezeState;
    const L = enc.config.layers;
    this.trained = {
      embeddings: freezeEmbeddings ? [0, 0] : [0, this.layout.sizes.embeddings],
      layers: [freezeBottomLayers >= L ? this.layout.sizes.layers : this.layout.layers[freezeBottomLayers]!.start, this.layout.sizes.layers],
      head: [0, this.layout.sizes.head],
    };
  }

  /** The weights or moments changed outside the fast path (a tfjs step, a restore): re-import before the next step. */
  invalidate(): void {
    this.stale = true;
  }

  private buf(name: string, elements: number): GpuBuffer {
    const bytes = Math.max(16, Math.ceil(elements) * 4);
    let b = this.pool.get(name);
    if (!b || b.size < bytes) {
      if (b) this.graveyard.push(b);
      b = this.device.createBuffer({ size: bytes, usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST });
      this.pool.set(name, b);
    }
    return b;
  }

  /** Submits the recorded work; buffers it outgrew can go once it is queued (WebGPU keeps them until it has run). */
  private submit(): void {
    this.rec.submit();
    for (const b of this.graveyard) b.destroy();
    this.graveyard = [];
  }

  private isTrained(g: GroupName, off: number): boolean {
    const [a, b] = this.trained[g];
    return off >= a && off < b;
  }

  /**
   * The GPU buffers of every slot's variable and (trained slots) its moments, made and uploaded now: tfjs
   * records that work in its own encoder, which must be submitted (flushTfjs) before our copies touch them.
   */
  private slotBuffers(): { w: GpuBuffer; m: GpuBuffer | undefined; v: GpuBuffer | undefined }[] {
    return this.layout.slots.map((s) => {
      if (!this.isTrained(s.group, s.off)) return { w: bufferOfTensor(this.backend, s.variable), m: undefined, v: undefined };
      const mv = this.opt.momentsOf(s.variable, true)!;
      // Written in place by exportState: their CPU caches are dropped here.
      return { w: writableBufferOfTensor(this.backend, s.variable), m: writableBufferOfTensor(this.backend, mv.m), v: writableBufferOfTensor(this.backend, mv.v) };
    });
  }

  /** Copies the encoder's weights and the optimizer's moments into the flat buffers. */
  private importState(bufs: ReturnType<FastTrainer['slotBuffers']>): void {
    this.layout.slots.forEach((s, i) => {
      const b = bufs[i]!;
      this.rec.copy(b.w, 0, this.W[s.group], s.off * 4, s.size * 4);
      if (b.m && b.v) {
        this.rec.copy(b.m, 0, this.M[s.group], s.off * 4, s.size * 4);
        this.rec.copy(b.v, 0, this.V[s.group], s.off * 4, s.size * 4);
      }
    });
    this.stale = false;
  }

  /** A step the fast path cannot take (sequence too long, too many rows or candidates, a query without its positive): undefined. */
  private fits(micro: readonly MicroBatch[], symmetric: boolean): boolean {
    return micro.every(({ tokens: b, numQueries: n }) => b.seq <= MAX_SEQ && b.batch * b.seq <= MAX_ROWS
      && b.batch - n <= MAX_CANDIDATES && (!symmetric || n <= MAX_CANDIDATES) && n > 0 && b.batch >= 2 * n);
  }

  /**
   * Loss and gradients of one micro-batch without an update (the golden checks read them): parameter
   * name → gradient in the variable's layout ([in, out] for linear weights), trained parameters only.
   */
  async gradients(mb: MicroBatch, loss: InfoNceOptions = {}): Promise<{ loss: number; grads: Map<tf.Variable, Float32Array> } | undefined> {
    const r = await this.guarded(() => this.run([mb], { lr: 0, loss }, false));
    if (!r) return undefined;
    const grads = new Map<tf.Variable, Float32Array>();
    for (const g of GROUPS) {
      const [a, b] = this.trained[g];
      if (b <= a) continue;
      const stage = this.device.createBuffer({ size: this.G[g].size, usage: USAGE.MAP_READ | USAGE.COPY_DST });
      this.rec.copy(this.G[g], 0, stage, 0, this.G[g].size);
      this.submit();
      await stage.mapAsync(MAP_MODE_READ);
      const all = new Float32Array(stage.getMappedRange().slice(0));
      stage.unmap();
      stage.destroy();
      for (const s of this.layout.slots) if (s.group === g && this.isTrained(g, s.off)) grads.set(s.variable, all.slice(s.off, s.off + s.size));
    }
    return { loss: r.loss, grads };
  }

  /**
   * Pooled embeddings (after the Dense head and the model's normalization, if it has them) from the fast
   * path's forward pass: what Encoder.embed returns, from the same kernels the training step runs.
   */
  async embed(tokens: MicroBatch['tokens']): Promise<Float32Array[] | undefined> {
    if (this.disposed) throw new LabError('invalid-argument', 'the fast trainer was disposed');
    this.enc.checkBatch(tokens);
    if (tokens.seq > MAX_SEQ || tokens.batch * tokens.seq > MAX_ROWS) return undefined;
    return this.guarded(async () => {
      const bufs = this.slotBuffers();
      flushTfjs(this.backend);
      this.rec.resetCounts();
      if (this.stale) this.importState(bufs);
      let { out, dim } = this.forwardBackward({ tokens, numQueries: 0 }, 0);
      if (this.enc.head.normalize) {
        const normed = this.buf('normed', tokens.batch * dim);
        this.rec.dispatch(normalizeForward, { D: dim }, [out, normed, this.buf('norms', tokens.batch)], [tokens.batch], 'forward');
        out = normed;
      }
      const staging = this.stagingFor(tokens.batch * dim);
      this.rec.copy(out, 0, staging, 0, tokens.batch * dim * 4);
      this.submit();
      const all = await this.readStaging(tokens.batch * dim);
      return Array.from({ length: tokens.batch }, (_, i) => all.slice(i * dim, (i + 1) * dim));
    });
  }

  /** Runs recorded GPU work under an error scope: a failed pipeline or dispatch becomes a LabError, not silence. */
  private async guarded<T>(f: () => Promise<T>): Promise<T> {
    this.device.pushErrorScope('validation');
    let value: T;
    try {
      value = await f();
    } finally {
      const err = await this.device.popErrorScope();
      if (err) {
        this.stale = true;
        // eslint-disable-next-line no-unsafe-finally
        throw new LabError('backend', `the WebGPU fast path failed: ${err.message}`);
      }
    }
    return value;
  }

  /** One optimizer step over the micro-batches; undefined when this step's shapes are past the fast path's limits. */
  async step(micro: readonly MicroBatch[], o: FastStepOptions): Promise<FastStepResult | undefined> {
    return this.guarded(() => this.run(micro, o, true));
  }

  private async run(micro: readonly MicroBatch[], o: FastStepOptions, apply: boolean): Promise<FastStepResult | undefined> {
    if (this.disposed) throw new LabError('invalid-argument', 'the fast trainer was disposed');
    if (micro.length === 0) throw new LabError('invalid-argument', 'a training step needs at least one micro-batch');
    const t = o.loss?.temperature ?? 0.05;
    if (!(t > 0 && Number.isFinite(t))) throw new LabError('invalid-argument', `temperature ${t}`, { path: 'train.temperature' }, 'a positive number (0.05 = scale 20)');
    const variant = o.loss?.variant ?? 'in-batch';
    if (variant === 'paper') return undefined;
    const symmetric = variant === 'symmetric';
    for (const mb of micro) this.enc.checkBatch(mb.tokens);
    if (!this.fits(micro, symmetric)) return undefined;

    const bufs = this.slotBuffers();
    flushTfjs(this.backend);
    const rec = this.rec;
    rec.resetCounts();
    if (this.stale) this.importState(bufs);
    for (const g of GROUPS) rec.clear(this.G[g]);
    let lossRows = 0;
    const lossCap = micro.reduce((n, mb) => n + (symmetric ? 2 : 1) * mb.numQueries, 0);
    const LOSS = this.buf('loss', lossCap);
    micro.forEach((mb, i) => {
      const rows = (symmetric ? 2 : 1) * mb.numQueries;
      this.forwardBackward(mb, i, { invT: 1 / t, invDenom: 1 / (rows * micro.length), symmetric, lossOff: lossRows, LOSS });
      lossRows += rows;
    });
    const NORM = this.buf('norm', 2);
    if (apply) {
      this.optimizer(o, LOSS, lossRows, NORM);
      this.exportState(bufs);
    } else rec.clear(NORM);
    const staging = this.stagingFor(lossRows + 2);
    rec.copy(LOSS, 0, staging, 0, lossRows * 4);
    rec.copy(NORM, 0, staging, lossRows * 4, 8);
    this.submit();
    const read = await this.readStaging(lossRows + 2);
    let loss = 0;
    for (let i = 0; i < lossRows; i++) loss += read[i]!;
    const gradNorm = Math.sqrt(read[lossRows]!);
    const lossOnGpu = read[lossRows + 1]!;
    if (apply && (!Number.isFinite(loss) || !Number.isFinite(lossOnGpu))) {
      this.opt.step--;
      throw new LabError('invalid-argument', `the loss is ${loss}: training stopped before the update, the weights are unchanged`, {}, 'a finite loss (lower the learning rate?)');
    }
    if (apply && !Number.isFinite(gradNorm)) {
      this.opt.step--;
      throw new LabError('invalid-argument', `the gradient norm is ${gradNorm}: training stopped before the update, the weights are unchanged`);
    }
    return { loss, gradNorm: o.maxGradNorm !== undefined ? gradNorm : NaN, launches: { ...rec.counts } };
  }

  /** The first `floats` values of the staging buffer, once the submitted work that fills it has run. */
  private async readStaging(floats: number): Promise<Float32Array> {
    const staging = this.staging!;
    await staging.mapAsync(MAP_MODE_READ);
    const out = new Float32Array(staging.getMappedRange(0, floats * 4).slice(0));
    staging.unmap();
    return out;
  }

  private stagingFor(floats: number): GpuBuffer {
    if (!this.staging || this.staging.size < floats * 4) {
      this.staging?.destroy();
      this.staging = this.device.createBuffer({ size: Math.max(256, floats * 8), usage: USAGE.MAP_READ | USAGE.COPY_DST });
    }
    return this.staging;
  }

  private mm(v: MatmulVariant, phase: Phase, s: { M: number; N: number; K: number; Z?: number; nInner?: number; kIn?: number; alpha?: number; biasOff?: number },
    A: Mat, B: Mat, C: Mat, extra: { R?: Mat; X?: { buf: GpuBuffer; off?: number; row: number } } = {}): void {
    const buffers = [A.buf, B.buf, C.buf];
    if (v.residual) buffers.push(extra.R!.buf);
    if (v.storePre || v.actGrad) buffers.push(extra.X!.buf);
    this.rec.dispatch(matmulKernel(v), {
      M: s.M, N: s.N, K: s.K, kIn: s.kIn ?? s.K, nInner: s.nInner ?? 1,
      aOff: A.off ?? 0, aZo: A.zo ?? 0, aZi: A.zi ?? 0, aM: A.row, aK: A.col, aKo: A.ko ?? 0,
      bOff: B.off ?? 0, bZo: B.zo ?? 0, bZi: B.zi ?? 0, bK: B.row, bN: B.col, bKo: B.ko ?? 0,
      cOff: C.off ?? 0, cZo: C.zo ?? 0, cZi: C.zi ?? 0, cM: C.row, cN: C.col,
      rOff: extra.R?.off ?? 0, rZo: extra.R?.zo ?? 0, rZi: extra.R?.zi ?? 0, rM: extra.R?.row ?? 0,
      xOff: extra.X?.off ?? 0, xM: extra.X?.row ?? 0, biasOff: s.biasOff ?? 0, alpha: s.alpha ?? 1,
    }, buffers, matmulGroups(s.M, s.N, s.Z ?? 1), phase);
  }

  /** Records the forward pass and, given the loss settings, the loss and the backward; returns the head's output (before normalization). */
  private forwardBackward(mb: MicroBatch, mi: number, lo?: { invT: number; invDenom: number; symmetric: boolean; lossOff: number; LOSS: GpuBuffer }): { out: GpuBuffer; dim: number } {
    const enc = this.enc;
    const cfg = enc.config;
    const Ly = this.layout;
    const { batch: B, seq: S } = mb.tokens;
    const n = mb.numQueries;
    const H = cfg.hidden;
    const I = cfg.intermediate;
    const nh = cfg.heads;
    const dh = H / nh;
    const R = B * S;
    const L = cfg.layers;
    const rec = this.rec;
    const d = this.device;
    const WE = this.W.embeddings;
    const WL = this.W.layers;
    const act = cfg.hiddenAct as Activation;
    const { freezeEmbeddings, freezeBottomLayers } = enc.freezeState;
    const lowest = freezeEmbeddings ? freezeBottomLayers : 0;

    // Inputs: table offsets per token, the mask, and the embedding gradient's gather plan.
    const pos = positionIds(cfg, mb.tokens.mask, B, S);
    const idx = new Uint32Array(3 * R);
    const wordT = new Uint32Array(R);
    const posT = new Uint32Array(R);
    const typeT = new Uint32Array(Ly.type !== undefined ? R : 0);
    const mask = new Float32Array(R);
    for (let r = 0; r < R; r++) {
      wordT[r] = Ly.word + mb.tokens.ids[r]! * H;
      posT[r] = Ly.pos + pos[r]! * H;
      const ty = Ly.type !== undefined ? Ly.type + (mb.tokens.typeIds?.[r] ?? 0) * H : 0;
      if (Ly.type !== undefined) typeT[r] = ty;
      idx.set([wordT[r]!, posT[r]!, ty], 3 * r);
      mask[r] = mb.tokens.mask[r]!;
    }
    const IDX = this.buf(`idx.${mi}`, 3 * R);
    const MASK = this.buf(`mask.${mi}`, R);
    d.queue.writeBuffer(IDX, 0, idx);
    d.queue.writeBuffer(MASK, 0, mask);

    // ---- forward ----
    const xin = (l: number): GpuBuffer => this.buf(`xin.${l}`, R * H);
    const EMB = this.buf('emb', R * H);
    const STE = this.buf('st.emb', 2 * R);
    rec.dispatch(embeddingForward, { H, withType: Ly.type !== undefined ? 1 : 0 }, [WE, IDX, EMB], [R], 'forward');
    rec.dispatch(layerNormForward, { H, xOff: 0, gOff: Ly.embLnG, bOff: Ly.embLnB, eps: cfg.layerNormEps }, [EMB, WE, xin(0), STE], [R], 'forward');
    const scale = 1 / Math.sqrt(dh);
    const attnU = { S, H, heads: nh, dh, scale };
    const per = (l: number) => ({
      qkv: this.buf(`qkv.${l}`, R * 3 * H), probs: this.buf(`probs.${l}`, B * nh * S * S), ctx: this.buf(`ctx.${l}`, R * H),
      h1: this.buf(`h1.${l}`, R * H), st1: this.buf(`st1.${l}`, 2 * R), a: this.buf(`a.${l}`, R * H),
      pre: this.buf(`pre.${l}`, R * I), ffn: this.buf(`ffn.${l}`, R * I), h2: this.buf(`h2.${l}`, R * H), st2: this.buf(`st2.${l}`, 2 * R),
    });
    for (let l = 0; l < L; l++) {
      const s = Ly.layers[l]!;
      const b = per(l);
      const x = xin(l);
      this.mm({ bias: true }, 'forward', { M: R, N: H, K: H, Z: 3, biasOff: H * H },
        { buf: x, row: H, col: 1 }, { buf: WL, off: s.q, zo: Ly.qkvStride, row: H, col: 1 }, { buf: b.qkv, zo: H, row: 3 * H, col: 1 });
      rec.dispatch(attentionForward, attnU, [b.qkv, MASK, b.probs, b.ctx], [S, B * nh], 'forward');
      this.mm({ bias: true, residual: true }, 'forward', { M: R, N: H, K: H, biasOff: H * H },
        { buf: b.ctx, row: H, col: 1 }, { buf: WL, off: s.o, row: H, col: 1 }, { buf: b.h1, row: H, col: 1 }, { R: { buf: x, row: H, col: 1 } });
      rec.dispatch(layerNormForward, { H, xOff: 0, gOff: s.ln1g, bOff: s.ln1b, eps: cfg.layerNormEps }, [b.h1, WL, b.a, b.st1], [R], 'forward');
      this.mm({ bias: true, act, storePre: true }, 'forward', { M: R, N: I, K: H, biasOff: H * I },
        { buf: b.a, row: H, col: 1 }, { buf: WL, off: s.ffn1, row: I, col: 1 }, { buf: b.ffn, row: I, col: 1 }, { X: { buf: b.pre, row: I } });
      this.mm({ bias: true, residual: true }, 'forward', { M: R, N: H, K: I, biasOff: I * H },
        { buf: b.ffn, row: I, col: 1 }, { buf: WL, off: s.ffn2, row: H, col: 1 }, { buf: b.h2, row: H, col: 1 }, { R: { buf: b.a, row: H, col: 1 } });
      rec.dispatch(layerNormForward, { H, xOff: 0, gOff: s.ln2g, bOff: s.ln2b, eps: cfg.layerNormEps }, [b.h2, WL, xin(l + 1), b.st2], [R], 'forward');
    }
    const cls = enc.pooling === 'cls' ? 1 : 0;
    const E = this.buf('pooled', B * H);
    rec.dispatch(poolForward, { S, H, cls }, [xin(L), MASK, E], [B], 'forward');
    const WH = this.W.head;
    const GH = this.G.head;
    const denseIn: { buf: GpuBuffer; dim: number }[] = [{ buf: E, dim: H }];
    const densePre: (GpuBuffer | undefined)[] = [];
    Ly.dense.forEach((ds, k) => {
      const a = enc.denseVars[k]!.activation;
      const out = this.buf(`dense.${k}`, B * ds.outFeatures);
      const pre = a !== 'identity' ? this.buf(`dense.pre.${k}`, B * ds.outFeatures) : undefined;
      densePre.push(pre);
      this.mm({ bias: ds.hasBias, ...(pre ? { act: a, storePre: true } : {}) }, 'forward', { M: B, N: ds.outFeatures, K: ds.inFeatures, biasOff: ds.inFeatures * ds.outFeatures },
        { buf: denseIn[k]!.buf, row: ds.inFeatures, col: 1 }, { buf: WH, off: ds.w, row: ds.outFeatures, col: 1 }, { buf: out, row: ds.outFeatures, col: 1 },
        pre ? { X: { buf: pre, row: ds.outFeatures } } : {});
      denseIn.push({ buf: out, dim: ds.outFeatures });
    });
    const last = denseIn[denseIn.length - 1]!;
    const D = last.dim;
    if (!lo) return { out: last.buf, dim: D };
    const N = this.buf('normed', B * D);
    const NORM = this.buf('norms', B);
    rec.dispatch(normalizeForward, { D }, [last.buf, N, NORM], [B], 'forward');
    const rows = (lo.symmetric ? 2 : 1) * n;
    const DL = this.buf('dlogits', rows * B);
    rec.dispatch(infoNceForward, { n, rows: B, D, invT: lo.invT, invDenom: lo.invDenom, lossOff: lo.lossOff }, [N, DL, lo.LOSS], [rows], 'forward');

    // ---- backward ----
    const lastK = Ly.dense.length - 1;
    const lastAct = lastK >= 0 ? enc.denseVars[lastK]!.activation : undefined;
    const lastPre = lastK >= 0 ? densePre[lastK] : undefined;
    const DYk = this.buf(`d.dense.${lastK + 1}`, B * D);
    rec.dispatch(infoNceBackward(lastPre ? lastAct : undefined), { n, rows: B, D, invT: lo.invT, symmetric: lo.symmetric ? 1 : 0 },
      [N, NORM, DL, DYk, ...(lastPre ? [lastPre] : [])], [B], 'backward');
    const needEncoderGrads = !freezeEmbeddings || freezeBottomLayers < L;
    let dy = DYk;
    for (let k = lastK; k >= 0; k--) {
      const ds = Ly.dense[k]!;
      const input = denseIn[k]!;
      this.mm({ accumulate: true, onesRow: ds.hasBias }, 'backward', { M: ds.inFeatures + (ds.hasBias ? 1 : 0), N: ds.outFeatures, K: B },
        { buf: input.buf, row: 1, col: ds.inFeatures }, { buf: dy, row: ds.outFeatures, col: 1 }, { buf: GH, off: ds.w, row: ds.outFeatures, col: 1 });
      if (k === 0 && !needEncoderGrads) return { out: last.buf, dim: D };
      const dIn = this.buf(`d.dense.${k}`, B * ds.inFeatures);
      const prevPre = k > 0 ? densePre[k - 1] : undefined;
      this.mm(prevPre ? { actGrad: enc.denseVars[k - 1]!.activation as Activation } : {}, 'backward', { M: B, N: ds.inFeatures, K: ds.outFeatures },
        { buf: dy, row: ds.outFeatures, col: 1 }, { buf: WH, off: ds.w, row: 1, col: ds.outFeatures }, { buf: dIn, row: ds.inFeatures, col: 1 },
        prevPre ? { X: { buf: prevPre, row: ds.inFeatures } } : {});
      dy = dIn;
    }
    if (!needEncoderGrads) return { out: last.buf, dim: D };
    const dX = this.buf('d.x', R * H);
    const dH = this.buf('d.h', R * H);
    const dA = this.buf('d.a', R * H);
    const dFfn = this.buf('d.ffn', R * I);
    const dCtx = this.buf('d.ctx', R * H);
    const dQKV = this.buf('d.qkv', R * 3 * H);
    const dS = this.buf('d.scores', B * nh * S * S);
    const GL = this.G.layers;
    rec.dispatch(poolBackward, { S, H, cls }, [dy, MASK, dX], [R], 'backward');
    for (let l = L - 1; l >= lowest; l--) {
      const s = Ly.layers[l]!;
      const b = per(l);
      const trained = l >= freezeBottomLayers;
      rec.dispatch(layerNormBackwardRows, { H, gOff: s.ln2g }, [dX, b.h2, b.st2, WL, dH], [R], 'backward');
      if (trained) rec.dispatch(layerNormBackwardColumns, { H, rows: R, gOff: s.ln2g, bOff: s.ln2b }, [dX, b.h2, b.st2, GL], [Math.ceil(H / 64)], 'backward');
      this.mm({ actGrad: act }, 'backward', { M: R, N: I, K: H },
        { buf: dH, row: H, col: 1 }, { buf: WL, off: s.ffn2, row: 1, col: H }, { buf: dFfn, row: I, col: 1 }, { X: { buf: b.pre, row: I } });
      if (trained) {
        this.mm({ accumulate: true, onesRow: true }, 'backward', { M: I + 1, N: H, K: R },
          { buf: b.ffn, row: 1, col: I }, { buf: dH, row: H, col: 1 }, { buf: GL, off: s.ffn2, row: H, col: 1 });
      }
      this.mm({ residual: true }, 'backward', { M: R, N: H, K: I },
        { buf: dFfn, row: I, col: 1 }, { buf: WL, off: s.ffn1, row: 1, col: I }, { buf: dA, row: H, col: 1 }, { R: { buf: dH, row: H, col: 1 } });
      if (trained) {
        this.mm({ accumulate: true, onesRow: true }, 'backward', { M: H + 1, N: I, K: R },
          { buf: b.a, row: 1, col: H }, { buf: dFfn, row: I, col: 1 }, { buf: GL, off: s.ffn1, row: I, col: 1 });
      }
      rec.dispatch(layerNormBackwardRows, { H, gOff: s.ln1g }, [dA, b.h1, b.st1, WL, dH], [R], 'backward');
      if (trained) rec.dispatch(layerNormBackwardColumns, { H, rows: R, gOff: s.ln1g, bOff: s.ln1b }, [dA, b.h1, b.st1, GL], [Math.ceil(H / 64)], 'backward');
      this.mm({}, 'backward', { M: R, N: H, K: H },
        { buf: dH, row: H, col: 1 }, { buf: WL, off: s.o, row: 1, col: H }, { buf: dCtx, row: H, col: 1 });
      if (trained) {
        this.mm({ accumulate: true, onesRow: true }, 'backward', { M: H + 1, N: H, K: R },
          { buf: b.ctx, row: 1, col: H }, { buf: dH, row: H, col: 1 }, { buf: GL, off: s.o, row: H, col: 1 });
      }
      rec.dispatch(attentionBackwardRows, attnU, [b.qkv, b.probs, dCtx, dS, dQKV], [S, B * nh], 'backward');
      // dK = dSᵀ·Q/√dh and dV = Pᵀ·dctx, batched over (sequence, head).
      const perHead = { M: S, N: dh, K: S, Z: B * nh, nInner: nh };
      this.mm({}, 'backward', { ...perHead, alpha: scale },
        { buf: dS, zo: nh * S * S, zi: S * S, row: 1, col: S }, { buf: b.qkv, zo: S * 3 * H, zi: dh, row: 3 * H, col: 1 },
        { buf: dQKV, off: H, zo: S * 3 * H, zi: dh, row: 3 * H, col: 1 });
      this.mm({}, 'backward', perHead,
        { buf: b.probs, zo: nh * S * S, zi: S * S, row: 1, col: S }, { buf: dCtx, zo: S * H, zi: dh, row: H, col: 1 },
        { buf: dQKV, off: 2 * H, zo: S * 3 * H, zi: dh, row: 3 * H, col: 1 });
      if (l > lowest || !freezeEmbeddings) {
        // dX = dQKV·[Wq Wk Wv]ᵀ + dh1 (the residual): K = 3H in three blocks of the weights.
        this.mm({ residual: true }, 'backward', { M: R, N: H, K: 3 * H, kIn: H },
          { buf: dQKV, row: 3 * H, col: 1, ko: H }, { buf: WL, off: s.q, row: 1, col: H, ko: Ly.qkvStride }, { buf: dX, row: H, col: 1 },
          { R: { buf: dH, row: H, col: 1 } });
      }
      if (trained) {
        this.mm({ accumulate: true, onesRow: true }, 'backward', { M: H + 1, N: H, K: R, Z: 3 },
          { buf: xin(l), row: 1, col: H }, { buf: dQKV, zo: H, row: 3 * H, col: 1 }, { buf: GL, off: s.q, zo: Ly.qkvStride, row: H, col: 1 });
      }
    }
    if (freezeEmbeddings) return { out: last.buf, dim: D };
    const GE = this.G.embeddings;
    rec.dispatch(layerNormBackwardRows, { H, gOff: Ly.embLnG }, [dX, EMB, STE, WE, dH], [R], 'backward');
    rec.dispatch(layerNormBackwardColumns, { H, rows: R, gOff: Ly.embLnG, bOff: Ly.embLnB }, [dX, EMB, STE, GE], [Math.ceil(H / 64)], 'backward');
    const plan = scatterPlan(Ly.type !== undefined ? [wordT, posT, typeT] : [wordT, posT]);
    // scatterPlan numbers rows per target array; the arrays are all per token, so fold the index back to a token row.
    const rowsTok = plan.rows;
    const LIST = this.buf(`list.${mi}`, plan.list.length);
    const ROWS = this.buf(`rows.${mi}`, rowsTok.length);
    d.queue.writeBuffer(LIST, 0, plan.list);
    d.queue.writeBuffer(ROWS, 0, rowsTok);
    rec.dispatch(embeddingBackward, { H, count: plan.count }, [dH, LIST, ROWS, GE], grid(plan.count), 'backward');
    return { out: last.buf, dim: D };
  }

  private optimizer(o: FastStepOptions, LOSS: GpuBuffer, lossRows: number, NORM: GpuBuffer): void {
    const h = this.opt.hyper;
    this.opt.step++;
    const step = this.opt.step;
    const PART = this.buf('partials', GROUPS.length * PARTIALS);
    this.rec.clear(PART);
    GROUPS.forEach((g, gi) => {
      const [a, b] = this.trained[g];
      if (b > a) this.rec.dispatch(sumSquares, { start: a, n: b - a, slot: gi * PARTIALS }, [this.G[g], PART], [PARTIALS], 'optimizer');
    });
    this.rec.dispatch(sumPartials, { count: GROUPS.length * PARTIALS, lossCount: lossRows }, [PART, LOSS, NORM], [1], 'optimizer');
    for (const g of GROUPS) {
      const [a, b] = this.trained[g];
      if (b <= a) continue;
      this.rec.dispatch(adamwFlat, {
        lr: o.lr, b1: h.beta1, omb1: 1 - h.beta1, b2: h.beta2, omb2: 1 - h.beta2, eps: h.eps,
        bc1: 1 - h.beta1 ** step, bc2: 1 - h.beta2 ** step, decay: 1 - o.lr * h.weightDecay,
        maxNorm: o.maxGradNorm ?? 0, clip: o.maxGradNorm !== undefined ? 1 : 0, start: a, n: b - a,
      }, [this.W[g], this.G[g], this.M[g], this.V[g], NORM], grid(Math.ceil((b - a) / 256)), 'optimizer');
    }
  }

  /** Copies the trained weights and their moments back into the encoder's and the optimizer's variables. */
  private exportState(bufs: ReturnType<FastTrainer['slotBuffers']>): void {
    this.layout.slots.forEach((s, i) => {
      const b = bufs[i]!;
      if (!b.m || !b.v) return;
      this.rec.copy(this.W[s.group], s.off * 4, b.w, 0, s.size * 4);
      this.rec.copy(this.M[s.group], s.off * 4, b.m, 0, s.size * 4);
      this.rec.copy(this.V[s.group], s.off * 4, b.v, 0, s.size * 4);
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const g of GROUPS) for (const b of [this.W[g], this.G[g], this.M[g], this.V[g]]) b.destroy();
    for (const b of this.pool.values()) b.destroy();
    this.pool.clear();
    this.staging?.destroy();
    this.rec.dispose();
  }
}
