/**
 * Where each parameter of an encoder lives in the fast path's flat buffers.
 * Three groups, each one buffer (and one AdamW dispatch): the embedding
 * tables with their LayerNorm, the transformer layers in order, the Dense
 * head. Inside a group every linear weight ([in, out], as tfjs holds it) is
 * followed at once by its bias, so the weight's and the bias's gradients are
 * one product ([Xᵀ; 1]·dY); the q, k and v blocks of a layer are adjacent with
 * one stride, so their three products are one batched dispatch. Layers are in
 * order so the trained part of a partly frozen model is one range.
 */
import type * as tf from '@tensorflow/tfjs';
import { LabError } from '../errors.ts';
import type { Encoder } from '../encoder/model.ts';
import { layerModuleName, type LayerRole } from '../encoder/weights.ts';

export type GroupName = 'embeddings' | 'layers' | 'head';

export interface Slot {
  group: GroupName;
  /** Element offset in the group's buffer. */
  off: number;
  size: number;
  variable: tf.Variable;
}

export interface LayerSlots {
  /** q weight; k and v follow at +qkvStride and +2·qkvStride, each weight followed by its bias. */
  q: number;
  o: number;
  ln1g: number;
  ln1b: number;
  ffn1: number;
  ffn2: number;
  ln2g: number;
  ln2b: number;
  /** First element of the layer (the start of the trained range when lower layers are frozen). */
  start: number;
}

export interface DenseSlot {
  w: number;
  hasBias: boolean;
  inFeatures: number;
  outFeatures: number;
}

export interface FlatLayout {
  slots: Slot[];
  sizes: Record<GroupName, number>;
  word: number;
  pos: number;
  type: number | undefined;
  embLnG: number;
  embLnB: number;
  layers: LayerSlots[];
  dense: DenseSlot[];
  qkvStride: number;
}

export function flatLayout(enc: Encoder): FlatLayout {
  const slots: Slot[] = [];
  const sizes: Record<GroupName, number> = { embeddings: 0, layers: 0, head: 0 };
  const place = (group: GroupName, variable: tf.Variable): number => {
    const off = sizes[group];
    slots.push({ group, off, size: variable.size, variable });
    sizes[group] += variable.size;
    return off;
  };
  const param = (name: string): tf.Variable => {
    const p = enc.params.get(name);
    if (!p) throw new LabError('model-weights', `parameter "${name}" is not loaded`);
    return p.variable;
  };
  const cfg = enc.config;
  const word = place('embeddings', param('embeddings.word_embeddings.weight'));
  const pos = place('embeddings', param('embeddings.position_embeddings.weight'));
  const type = cfg.typeVocabSize > 0 ? place('embeddings', param('embeddings.token_type_embeddings.weight')) : undefined;
  const embLnG = place('embeddings', param('embeddings.LayerNorm.weight'));
  const embLnB = place('embeddings', param('embeddings.LayerNorm.bias'));
  const H = cfg.hidden;
  const layers: LayerSlots[] = [];
  for (let l = 0; l < cfg.layers; l++) {
    const m = (role: LayerRole): string => layerModuleName(cfg, l, role);
    const linear = (role: LayerRole): number => {
      const w = place('layers', param(`${m(role)}.weight`));
      place('layers', param(`${m(role)}.bias`));
      return w;
    };
    const start = sizes.layers;
    const q = linear('q');
    linear('k');
    linear('v');
    const o = linear('o');
    const ln1g = place('layers', param(`${m('ln1')}.weight`));
    const ln1b = place('layers', param(`${m('ln1')}.bias`));
    const ffn1 = linear('ffn1');
    const ffn2 = linear('ffn2');
    const ln2g = place('layers', param(`${m('ln2')}.weight`));
    const ln2b = place('layers', param(`${m('ln2')}.bias`));
    layers.push({ q, o, ln1g, ln1b, ffn1, ffn2, ln2g, ln2b, start });
  }
  const dense = enc.denseVars.map((d) => {
    const w = place('head', d.weight);
    if (d.bias) place('head', d.bias);
    return { w, hasBias: d.bias !== undefined, inFeatures: d.weight.shape[0]!, outFeatures: d.weight.shape[1]! };
  });
  return { slots, sizes, word, pos, type, embLnG, embLnB, layers, dense, qkvStride: H * H + H };
}
