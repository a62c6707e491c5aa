/**
 * Tensor-name mapping between Hugging Face checkpoints and the encoder's parameters.
 *
 * Checkpoints name the same weight differently depending on the class that saved
 * them: `BertModel` writes `embeddings.word_embeddings.weight`, `BertForMaskedLM`
 * writes `bert.embeddings.word_embeddings.weight`; old TF conversions use
 * LayerNorm `gamma`/`beta`. We accept all of these and report, on mismatch, the
 * exact missing and unexpected names.
 */
import { LabError } from '../errors.ts';
import type { EncoderConfig, ModelType } from './config.ts';
import type { SafetensorsFile } from './safetensors.ts';

export interface ParamSpec {
  /** Hugging Face name without the architecture prefix, e.g. `encoder.layer.0.attention.self.query.weight`. */
  name: string;
  /** Shape as stored in the checkpoint (PyTorch Linear: [out, in]). */
  shape: number[];
  /** A PyTorch Linear weight: stored [out, in], held in tfjs as [in, out] so the forward matmul needs no transpose. */
  linear: boolean;
  /** Embedding tables and their LayerNorm (frozen by `freezeEmbeddings`), or the layer index. */
  group: 'embeddings' | number;
}

export const ARCH_PREFIX: Record<ModelType, string> = {
  bert: 'bert.', 'xlm-roberta': 'roberta.', roberta: 'roberta.', distilbert: 'distilbert.',
};

/** Per-layer sub-module names, keyed by the role the forward pass gives them. */
const LAYER_NAMES = {
  bert: {
    q: 'attention.self.query', k: 'attention.self.key', v: 'attention.self.value', o: 'attention.output.dense',
    ln1: 'attention.output.LayerNorm', ffn1: 'intermediate.dense', ffn2: 'output.dense', ln2: 'output.LayerNorm',
    layer: 'encoder.layer',
  },
  distilbert: {
    q: 'attention.q_lin', k: 'attention.k_lin', v: 'attention.v_lin', o: 'attention.out_lin',
    ln1: 'sa_layer_norm', ffn1: 'ffn.lin1', ffn2: 'ffn.lin2', ln2: 'output_layer_norm',
    layer: 'transformer.layer',
  },
} as const;

export type LayerRole = 'q' | 'k' | 'v' | 'o' | 'ln1' | 'ffn1' | 'ffn2' | 'ln2';

export function layerModuleName(cfg: EncoderConfig, layer: number, role: LayerRole): string {
  const t = cfg.modelType === 'distilbert' ? LAYER_NAMES.distilbert : LAYER_NAMES.bert;
  return `${t.layer}.${layer}.${t[role]}`;
}

/** Every parameter the encoder needs, in a stable order. */
export function paramSpecs(cfg: EncoderConfig): ParamSpec[] {
  const H = cfg.hidden;
  const I = cfg.intermediate;
  const specs: ParamSpec[] = [
    { name: 'embeddings.word_embeddings.weight', shape: [cfg.vocabSize, H], linear: false, group: 'embeddings' },
    { name: 'embeddings.position_embeddings.weight', shape: [cfg.maxPositions, H], linear: false, group: 'embeddings' },
  ];
  if (cfg.typeVocabSize > 0) {
    specs.push({ name: 'embeddings.token_type_embeddings.weight', shape: [cfg.typeVocabSize, H], linear: false, group: 'embeddings' });
  }
  specs.push(
    { name: 'embeddings.LayerNorm.weight', shape: [H], linear: false, group: 'embeddings' },
    { name: 'embeddings.LayerNorm.bias', shape: [H], linear: false, group: 'embeddings' },
  );
  for (let l = 0; l < cfg.layers; l++) {
    const lin = (role: LayerRole, out: number, inp: number): void => {
      const m = layerModuleName(cfg, l, role);
      specs.push({ name: `${m}.weight`, shape: [out, inp], linear: true, group: l });
      specs.push({ name: `${m}.bias`, shape: [out], linear: false, group: l });
    };
    const ln = (role: LayerRole): void => {
      const m = layerModuleName(cfg, l, role);
      specs.push({ name: `${m}.weight`, shape: [H], linear: false, group: l });
      specs.push({ name: `${m}.bias`, shape: [H], linear: false, group: l });
    };
    lin('q', H, H);
    lin('k', H, H);
    lin('v', H, H);
    lin('o', H, H);
    ln('ln1');
    lin('ffn1', I, H);
    lin('ffn2', H, I);
    ln('ln2');
  }
  return specs;
}

/** Heads and buffers that checkpoints carry but an encoder does not use: ignored, with a note. */
const KNOWN_EXTRA = /^(pooler\.|lm_head\.|cls\.|vocab_transform\.|vocab_layer_norm\.|vocab_projector\.|qa_outputs\.|classifier\.|pre_classifier\.|embeddings\.position_ids$)/;

export interface WeightMapping {
  /** Parameter name (unprefixed) → tensor name in the file. */
  sources: Map<string, string>;
  /** Tensor names present but not used because they belong to known heads (pooler, MLM head, …). */
  ignored: string[];
}

function normalizeName(name: string, prefix: string): string {
  let n = name.startsWith(prefix) ? name.slice(prefix.length) : name;
  // TF-era checkpoints: LayerNorm.gamma / LayerNorm.beta.
  n = n.replace(/(LayerNorm|layer_norm)\.gamma$/, '$1.weight').replace(/(LayerNorm|layer_norm)\.beta$/, '$1.bias');
  return n;
}

export function mapWeights(cfg: EncoderConfig, st: SafetensorsFile): WeightMapping {
  const prefix = ARCH_PREFIX[cfg.modelType];
  const byNorm = new Map<string, string>();
  for (const name of st.tensors.keys()) byNorm.set(normalizeName(name, prefix), name);
  const specs = paramSpecs(cfg);
  const sources = new Map<string, string>();
  const missing: string[] = [];
  for (const s of specs) {
    const src = byNorm.get(s.name);
    if (src === undefined) missing.push(s.name);
    else sources.set(s.name, src);
  }
  const used = new Set(sources.values());
  const ignored: string[] = [];
  const unexpected: string[] = [];
  for (const [norm, name] of byNorm) {
    if (used.has(name)) continue;
    if (KNOWN_EXTRA.test(norm)) ignored.push(name);
    else unexpected.push(name);
  }
  if (missing.length || unexpected.length) {
    const list = (xs: string[]): string => (xs.length > 12 ? `${xs.slice(0, 12).join(', ')}, … (${xs.length} in all)` : xs.join(', '));
    const parts: string[] = [];
    if (missing.length) parts.push(`missing ${missing.length} tensor(s): ${list(missing)}`);
    if (unexpected.length) parts.push(`unexpected ${unexpected.length} tensor(s): ${list(unexpected)}`);
    throw new LabError('model-weights',
      `tensor names do not match a ${cfg.modelType} encoder with ${cfg.layers} layers (names may carry the "${prefix}" prefix); ${parts.join('; ')}`,
      { file: st.file });
  }
  for (const s of specs) {
    const info = st.tensors.get(sources.get(s.name)!)!;
    if (info.shape.length !== s.shape.length || info.shape.some((d, i) => d !== s.shape[i])) {
      throw new LabError('model-weights',
        `tensor "${info.name}" has shape [${info.shape.join(', ')}] but config.json implies [${s.shape.join(', ')}]`,
        { file: st.file });
    }
  }
  return { sources, ignored };
}
