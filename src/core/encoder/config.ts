/**
 * Hugging Face `config.json` → the one normalized shape the tfjs encoder uses.
 * BERT and XLM-R share field names; DistilBERT uses its own (dim, n_layers, …).
 */
import { LabError } from '../errors.ts';

export const SUPPORTED_MODEL_TYPES = ['bert', 'xlm-roberta', 'roberta', 'distilbert'] as const;
export type ModelType = (typeof SUPPORTED_MODEL_TYPES)[number];
/** Activations of the feed-forward block: `gelu` is the exact erf form, `gelu_new` the tanh approximation. */
export type HiddenAct = 'gelu' | 'gelu_new' | 'relu';

export interface EncoderConfig {
  modelType: ModelType;
  vocabSize: number;
  hidden: number;
  layers: number;
  heads: number;
  intermediate: number;
  layerNormEps: number;
  maxPositions: number;
  /** 0 when the architecture has no token-type embeddings (DistilBERT). */
  typeVocabSize: number;
  padTokenId: number;
  hiddenAct: HiddenAct;
  /**
   * RoBERTa-family position ids: positions = cumsum(mask) * mask + pad_token_id, so the
   * first real token sits at pad_token_id + 1 and padding at pad_token_id. (Transformers
   * derives the mask from ids != pad_token_id; we use the attention mask, which is the
   * same when tokenizer and model agree on the pad id and stays right when they do not.)
   * BERT/DistilBERT: 0, 1, 2, …
   */
  robertaPositions: boolean;
  /** The parsed config.json, kept so export can write back every field it does not own. */
  raw: Record<string, unknown>;
}

export function parseEncoderConfig(json: unknown, file = 'config.json'): EncoderConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new LabError('model-config', 'config.json is not a JSON object', { file });
  }
  const raw = json as Record<string, unknown>;
  const modelType = raw.model_type;
  if (typeof modelType !== 'string') {
    throw new LabError('model-config', 'field "model_type" is missing or not a string', { file, path: 'model_type' },
      `one of ${SUPPORTED_MODEL_TYPES.join(', ')}`);
  }
  if (!(SUPPORTED_MODEL_TYPES as readonly string[]).includes(modelType)) {
    throw new LabError('model-unsupported',
      `model_type "${modelType}" is not supported; supported encoder architectures: ${SUPPORTED_MODEL_TYPES.join(', ')}`,
      { file, path: 'model_type' });
  }
  const mt = modelType as ModelType;
  // config.json is untrusted: every size is bounded far above any real encoder (BERT-large: 24 layers, hidden 1024,
  // XLM-R: 250,002 tokens), so a hostile value fails here instead of exhausting memory while building names or tensors.
  const int = (field: string, fallback?: number, min = 1): number => {
    const v = raw[field] ?? fallback;
    const max = CONFIG_LIMITS[field] ?? 1_000_000;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new LabError('model-config', `field "${field}" is ${JSON.stringify(raw[field])}`, { file, path: field },
        `an integer from ${min} to ${max}`);
    }
    return v;
  };
  const num = (field: string, fallback: number): number => {
    const v = raw[field] ?? fallback;
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) {
      throw new LabError('model-config', `field "${field}" is ${JSON.stringify(raw[field])}`, { file, path: field }, 'a positive number');
    }
    return v;
  };
  const act = (field: string, fallback: string): HiddenAct => {
    const v = raw[field] ?? fallback;
    const map: Record<string, HiddenAct> = { gelu: 'gelu', gelu_new: 'gelu_new', gelu_pytorch_tanh: 'gelu_new', relu: 'relu' };
    const a = typeof v === 'string' ? map[v] : undefined;
    if (!a) {
      throw new LabError('model-unsupported', `activation ${JSON.stringify(v)} in field "${field}" is not supported`,
        { file, path: field }, Object.keys(map).join(', '));
    }
    return a;
  };

  let cfg: EncoderConfig;
  if (mt === 'distilbert') {
    cfg = {
      modelType: mt,
      vocabSize: int('vocab_size'),
      hidden: int('dim', 768),
      layers: int('n_layers', 6),
      heads: int('n_heads', 12),
      intermediate: int('hidden_dim', 3072),
      // DistilBERT hard-codes LayerNorm eps 1e-12 in its modules.
      layerNormEps: 1e-12,
      maxPositions: int('max_position_embeddings', 512),
      typeVocabSize: 0,
      padTokenId: int('pad_token_id', 0, 0),
      hiddenAct: act('activation', 'gelu'),
      robertaPositions: false,
      raw,
    };
  } else {
    const pet = raw.position_embedding_type;
    if (pet !== undefined && pet !== 'absolute') {
      throw new LabError('model-unsupported', `position_embedding_type ${JSON.stringify(pet)} is not supported`,
        { file, path: 'position_embedding_type' }, '"absolute"');
    }
    const roberta = mt === 'xlm-roberta' || mt === 'roberta';
    cfg = {
      modelType: mt,
      vocabSize: int('vocab_size'),
      hidden: int('hidden_size', 768),
      layers: int('num_hidden_layers', 12),
      heads: int('num_attention_heads', 12),
      intermediate: int('intermediate_size', 3072),
      layerNormEps: num('layer_norm_eps', 1e-12),
      maxPositions: int('max_position_embeddings', 512),
      typeVocabSize: int('type_vocab_size', 2, 0),
      padTokenId: int('pad_token_id', roberta ? 1 : 0, 0),
      hiddenAct: act('hidden_act', 'gelu'),
      robertaPositions: roberta,
      raw,
    };
  }
  if (cfg.hidden % cfg.heads !== 0) {
    const [hf, nf] = mt === 'distilbert' ? ['dim', 'n_heads'] : ['hidden_size', 'num_attention_heads'];
    throw new LabError('model-config', `${hf} ${cfg.hidden} is not divisible by ${nf} ${cfg.heads}`, { file, path: hf });
  }
  if (cfg.padTokenId >= cfg.vocabSize) {
    throw new LabError('model-config', `pad_token_id ${cfg.padTokenId} is outside the vocabulary of ${cfg.vocabSize}`, { file, path: 'pad_token_id' });
  }
  return cfg;
}

/** Largest sequence length the position table allows (RoBERTa loses pad_token_id + 1 slots to its offset). */
/** Upper bounds of config.json sizes (see parseEncoderConfig). */
const CONFIG_LIMITS: Record<string, number> = {
  num_hidden_layers: 256, n_layers: 256, hidden_size: 65_536, dim: 65_536, num_attention_heads: 1024, n_heads: 1024,
  intermediate_size: 262_144, hidden_dim: 262_144, vocab_size: 10_000_000, max_position_embeddings: 1_048_576, type_vocab_size: 1024,
};

export function maxSequenceLength(cfg: EncoderConfig): number {
  return cfg.robertaPositions ? cfg.maxPositions - cfg.padTokenId - 1 : cfg.maxPositions;
}

/** Position ids for one padded batch (row-major [batch, seq]). */
export function positionIds(cfg: EncoderConfig, mask: ArrayLike<number>, batch: number, seq: number): Int32Array {
  const out = new Int32Array(batch * seq);
  for (let b = 0; b < batch; b++) {
    let c = 0;
    for (let s = 0; s < seq; s++) {
      const i = b * seq + s;
      if (cfg.robertaPositions) {
        if (mask[i]) out[i] = ++c + cfg.padTokenId;
        else out[i] = cfg.padTokenId;
      } else out[i] = s;
    }
  }
  return out;
}
