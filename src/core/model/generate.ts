/**
 * An encoder the lab makes itself, for training from scratch where no
 * pretrained weights are at hand (these machines cannot download any): a
 * BERT of the given shape, initialized as Hugging Face's BertModel does
 * (normal(0, 0.02) weights, zero biases, LayerNorm 1/0), seeded, with a given
 * tokenizer.json, in the Hugging Face + sentence-transformers layout (mean
 * pooling, normalized), so the ordinary loader, export and evaluation apply.
 */
import { LabError } from '../errors.ts';
import { writeSafetensors, type TensorToWrite } from '../encoder/safetensors.ts';
import { memoryProvider, type FileProvider } from '../hub/model-files.ts';
import { SeededRng } from '../random.ts';

export interface GeneratedArchitecture {
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
  maxPositions: number;
}

function vocabSizeOf(tokenizerJson: Uint8Array): number {
  let tj: { model?: { vocab?: Record<string, number> | [string, number][] }; added_tokens?: { id: number }[] };
  try {
    tj = JSON.parse(new TextDecoder().decode(tokenizerJson)) as typeof tj;
  } catch {
    throw new LabError('tokenizer', 'is not valid JSON', { file: 'tokenizer.json' }, 'a Hugging Face tokenizer.json');
  }
  const vocab = tj.model?.vocab;
  const ids = Array.isArray(vocab) ? vocab.map((_, i) => i) : Object.values(vocab ?? {});
  // A loop, not Math.max(...ids): 120k arguments overflow a worker's stack in the browser.
  let max = -1;
  for (const id of [ids, (tj.added_tokens ?? []).map((t) => t.id)].flat()) if (typeof id === 'number' && id > max) max = id;
  if (max < 0) throw new LabError('tokenizer', 'has no vocabulary', { file: 'tokenizer.json' }, 'model.vocab');
  return max + 1;
}

export function generateEncoderFiles(a: GeneratedArchitecture, tokenizerJson: Uint8Array, seed: number): { files: Map<string, Uint8Array>; provider: FileProvider } {
  if (a.hidden % a.heads !== 0) throw new LabError('invalid-argument', `hidden ${a.hidden} is not a multiple of heads ${a.heads}`, { path: 'model.heads' }, 'hidden divisible by heads');
  const V = vocabSizeOf(tokenizerJson);
  const H = a.hidden;
  const rng = new SeededRng(seed);
  const normal = (n: number, std: number): Float32Array => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = std * Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    return out;
  };
  const t: TensorToWrite[] = [];
  const w = (name: string, shape: number[]) => t.push({ name, shape, data: normal(shape.reduce((x, y) => x * y, 1), 0.02), dtype: 'F32' });
  const c = (name: string, shape: number[], value: number) => t.push({ name, shape, data: new Float32Array(shape.reduce((x, y) => x * y, 1)).fill(value), dtype: 'F32' });
  w('embeddings.word_embeddings.weight', [V, H]);
  w('embeddings.position_embeddings.weight', [a.maxPositions, H]);
  w('embeddings.token_type_embeddings.weight', [2, H]);
  c('embeddings.LayerNorm.weight', [H], 1);
  c('embeddings.LayerNorm.bias', [H], 0);
  for (let l = 0; l < a.layers; l++) {
    const p = `encoder.layer.${l}.`;
    for (const m of ['attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense']) {
      w(`${p}${m}.weight`, [H, H]);
      c(`${p}${m}.bias`, [H], 0);
    }
    c(`${p}attention.output.LayerNorm.weight`, [H], 1);
    c(`${p}attention.output.LayerNorm.bias`, [H], 0);
    w(`${p}intermediate.dense.weight`, [a.intermediate, H]);
    c(`${p}intermediate.dense.bias`, [a.intermediate], 0);
    w(`${p}output.dense.weight`, [H, a.intermediate]);
    c(`${p}output.dense.bias`, [H], 0);
    c(`${p}output.LayerNorm.weight`, [H], 1);
    c(`${p}output.LayerNorm.bias`, [H], 0);
  }
  const enc = new TextEncoder();
  const json = (v: unknown) => enc.encode(`${JSON.stringify(v, null, 2)}\n`);
  const files = new Map<string, Uint8Array>([
    ['config.json', json({
      architectures: ['BertModel'], model_type: 'bert', vocab_size: V, hidden_size: H, num_hidden_layers: a.layers,
      num_attention_heads: a.heads, intermediate_size: a.intermediate, hidden_act: 'gelu', max_position_embeddings: a.maxPositions,
      type_vocab_size: 2, initializer_range: 0.02, layer_norm_eps: 1e-12, pad_token_id: 0,
    })],
    ['model.safetensors', writeSafetensors(t, { format: 'pt', generator: `polyglot-lab generated, seed ${seed}` })],
    ['tokenizer.json', tokenizerJson],
    ['modules.json', json([
      { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
      { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
      { idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' },
    ])],
    ['1_Pooling/config.json', json({ word_embedding_dimension: H, pooling_mode_cls_token: false, pooling_mode_mean_tokens: true, pooling_mode_max_tokens: false })],
    ['sentence_bert_config.json', json({ max_seq_length: a.maxPositions, do_lower_case: false })],
  ]);
  return { files, provider: memoryProvider(files) };
}
