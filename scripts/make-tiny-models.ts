/**
 * Generates tiny random-weight encoders in exactly the Hugging Face hub layout,
 * deterministically (seeded PRNG), for tests, the mock hub and benchmarks:
 *
 *   tiny-bert        bert,        F32,  names with `bert.` prefix + pooler head,
 *                    sentence-transformers: mean pooling + Normalize
 *   tiny-xlmr        xlm-roberta, F16,  pad_token_id 1 (RoBERTa positions), `roberta.` prefix,
 *                    sentence-transformers: CLS pooling + 2_Dense (tanh, 24) + Normalize (LaBSE-like)
 *   tiny-distilbert  distilbert,  BF16, unprefixed names + MLM head tensors, no sentence-transformers files
 *
 * All share the real mBERT WordPiece tokenizer (119,547 tokens) from ../shared.
 * Usage: npx tsx scripts/make-tiny-models.ts [outDir]   (default test/fixtures/models/generated)
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSafetensors, type TensorToWrite } from '../src/core/encoder/safetensors.ts';
import { mulberry32 } from '../src/core/random.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_OUT = join(ROOT, 'test/fixtures/models/generated');
const TOKENIZER_DIR = join(ROOT, '../shared/models/mbert-cased-tokenizer');
/** Bump when the generated content changes so global-setup regenerates stale copies. */
export const GENERATOR_VERSION = '3';

const VOCAB = 119547;


function normals(rand: () => number, n: number, std: number, mean = 0): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = Math.max(rand(), 1e-12);
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u)) * std;
    out[i] = mean + r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = mean + r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

interface Spec {
  name: string;
  seed: number;
  dtype: 'F32' | 'F16' | 'BF16';
  prefix: string;
  config: Record<string, unknown>;
  hidden: number;
  layers: number;
  inter: number;
  maxPos: number;
  typeVocab: number;
  distil: boolean;
  st?: { pooling: 'mean' | 'cls'; dense?: { out: number }; normalize: boolean };
  extras: 'pooler' | 'mlm' | 'none';
}

const SPECS: Spec[] = [
  {
    name: 'tiny-bert', seed: 1, dtype: 'F32', prefix: 'bert.', hidden: 32, layers: 2, inter: 64, maxPos: 64, typeVocab: 2, distil: false,
    config: {
      architectures: ['BertModel'], model_type: 'bert', vocab_size: VOCAB, hidden_size: 32, num_hidden_layers: 2,
      num_attention_heads: 4, intermediate_size: 64, hidden_act: 'gelu', hidden_dropout_prob: 0.1,
      attention_probs_dropout_prob: 0.1, max_position_embeddings: 64, type_vocab_size: 2, initializer_range: 0.02,
      layer_norm_eps: 1e-12, pad_token_id: 0, position_embedding_type: 'absolute', torch_dtype: 'float32',
    },
    st: { pooling: 'mean', normalize: true }, extras: 'pooler',
  },
  {
    name: 'tiny-xlmr', seed: 2, dtype: 'F16', prefix: 'roberta.', hidden: 32, layers: 2, inter: 64, maxPos: 66, typeVocab: 1, distil: false,
    config: {
      architectures: ['XLMRobertaModel'], model_type: 'xlm-roberta', vocab_size: VOCAB, hidden_size: 32, num_hidden_layers: 2,
      num_attention_heads: 4, intermediate_size: 64, hidden_act: 'gelu', hidden_dropout_prob: 0.1,
      attention_probs_dropout_prob: 0.1, max_position_embeddings: 66, type_vocab_size: 1, initializer_range: 0.02,
      layer_norm_eps: 1e-5, pad_token_id: 1, bos_token_id: 0, eos_token_id: 2, position_embedding_type: 'absolute',
      torch_dtype: 'float16',
    },
    st: { pooling: 'cls', dense: { out: 24 }, normalize: true }, extras: 'pooler',
  },
  {
    name: 'tiny-distilbert', seed: 3, dtype: 'BF16', prefix: '', hidden: 32, layers: 2, inter: 64, maxPos: 64, typeVocab: 0, distil: true,
    config: {
      architectures: ['DistilBertModel'], model_type: 'distilbert', vocab_size: VOCAB, dim: 32, n_layers: 2, n_heads: 4,
      hidden_dim: 64, activation: 'gelu', dropout: 0.1, attention_dropout: 0.1, max_position_embeddings: 64,
      sinusoidal_pos_embds: false, initializer_range: 0.02, pad_token_id: 0, torch_dtype: 'bfloat16',
    },
    extras: 'mlm',
  },
];

function weights(s: Spec): TensorToWrite[] {
  const rand = mulberry32(s.seed);
  const H = s.hidden;
  const out: TensorToWrite[] = [];
  const add = (name: string, shape: number[], std: number, mean = 0, prefix = s.prefix): void => {
    out.push({ name: prefix + name, shape, data: normals(rand, shape.reduce((a, b) => a * b, 1), std, mean), dtype: s.dtype });
  };
  add('embeddings.word_embeddings.weight', [VOCAB, H], 0.5);
  add('embeddings.position_embeddings.weight', [s.maxPos, H], 0.3);
  if (s.typeVocab) add('embeddings.token_type_embeddings.weight', [s.typeVocab, H], 0.3);
  add('embeddings.LayerNorm.weight', [H], 0.1, 1);
  add('embeddings.LayerNorm.bias', [H], 0.1);
  const names = s.distil
    ? { layer: 'transformer.layer', q: 'attention.q_lin', k: 'attention.k_lin', v: 'attention.v_lin', o: 'attention.out_lin', ln1: 'sa_layer_norm', f1: 'ffn.lin1', f2: 'ffn.lin2', ln2: 'output_layer_norm' }
    : { layer: 'encoder.layer', q: 'attention.self.query', k: 'attention.self.key', v: 'attention.self.value', o: 'attention.output.dense', ln1: 'attention.output.LayerNorm', f1: 'intermediate.dense', f2: 'output.dense', ln2: 'output.LayerNorm' };
  const wstd = (fanIn: number): number => 1 / Math.sqrt(fanIn);
  for (let l = 0; l < s.layers; l++) {
    const m = (k: keyof typeof names): string => `${names.layer}.${l}.${names[k]}`;
    for (const k of ['q', 'k', 'v', 'o'] as const) {
      add(`${m(k)}.weight`, [H, H], wstd(H) * (k === 'q' || k === 'k' ? 1.5 : 1));
      add(`${m(k)}.bias`, [H], 0.1);
    }
    add(`${m('ln1')}.weight`, [H], 0.1, 1);
    add(`${m('ln1')}.bias`, [H], 0.1);
    add(`${m('f1')}.weight`, [s.inter, H], wstd(H));
    add(`${m('f1')}.bias`, [s.inter], 0.1);
    add(`${m('f2')}.weight`, [H, s.inter], wstd(s.inter));
    add(`${m('f2')}.bias`, [H], 0.1);
    add(`${m('ln2')}.weight`, [H], 0.1, 1);
    add(`${m('ln2')}.bias`, [H], 0.1);
  }
  if (s.extras === 'pooler') {
    add('pooler.dense.weight', [H, H], wstd(H));
    add('pooler.dense.bias', [H], 0.1);
  } else if (s.extras === 'mlm') {
    // Heads DistilBertForMaskedLM saves next to the encoder; the loader must ignore them with a note.
    add('vocab_transform.weight', [H, H], wstd(H), 0, '');
    add('vocab_transform.bias', [H], 0.1, 0, '');
    add('vocab_layer_norm.weight', [H], 0.1, 1, '');
    add('vocab_layer_norm.bias', [H], 0.1, 0, '');
    add('vocab_projector.bias', [VOCAB], 0.1, 0, '');
  }
  return out;
}

const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

export async function makeTinyModels(outDir = DEFAULT_OUT): Promise<string[]> {
  const tokenizerJson = await readFile(join(TOKENIZER_DIR, 'tokenizer.json'));
  const vocabTxt = await readFile(join(TOKENIZER_DIR, 'vocab.txt'));
  const made: string[] = [];
  for (const s of SPECS) {
    const dir = join(outDir, s.name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'config.json'), json(s.config));
    await writeFile(join(dir, 'model.safetensors'), writeSafetensors(weights(s), { format: 'pt' }));
    await writeFile(join(dir, 'tokenizer.json'), tokenizerJson);
    await writeFile(join(dir, 'vocab.txt'), vocabTxt);
    await writeFile(join(dir, 'tokenizer_config.json'), json({
      tokenizer_class: 'BertTokenizer', do_lower_case: false, model_max_length: 512, clean_up_tokenization_spaces: true,
      cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]', unk_token: '[UNK]', mask_token: '[MASK]',
    }));
    await writeFile(join(dir, 'special_tokens_map.json'), json({
      cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]', unk_token: '[UNK]', mask_token: '[MASK]',
    }));
    if (s.st) {
      const modules: unknown[] = [
        { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
        { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
      ];
      await mkdir(join(dir, '1_Pooling'), { recursive: true });
      await writeFile(join(dir, '1_Pooling/config.json'), json({
        word_embedding_dimension: s.hidden, pooling_mode_cls_token: s.st.pooling === 'cls',
        pooling_mode_mean_tokens: s.st.pooling === 'mean', pooling_mode_max_tokens: false,
        pooling_mode_mean_sqrt_len_tokens: false, pooling_mode_weightedmean_tokens: false, pooling_mode_lasttoken: false,
        include_prompt: true,
      }));
      if (s.st.dense) {
        modules.push({ idx: 2, name: '2', path: '2_Dense', type: 'sentence_transformers.models.Dense' });
        await mkdir(join(dir, '2_Dense'), { recursive: true });
        await writeFile(join(dir, '2_Dense/config.json'), json({
          in_features: s.hidden, out_features: s.st.dense.out, bias: true,
          activation_function: 'torch.nn.modules.activation.Tanh',
        }));
        const rand = mulberry32(s.seed + 100);
        await writeFile(join(dir, '2_Dense/model.safetensors'), writeSafetensors([
          { name: 'linear.weight', shape: [s.st.dense.out, s.hidden], data: normals(rand, s.st.dense.out * s.hidden, 1 / Math.sqrt(s.hidden)) },
          { name: 'linear.bias', shape: [s.st.dense.out], data: normals(rand, s.st.dense.out, 0.1) },
        ], { format: 'pt' }));
      }
      if (s.st.normalize) {
        modules.push({ idx: modules.length, name: String(modules.length), path: `${modules.length}_Normalize`, type: 'sentence_transformers.models.Normalize' });
      }
      await writeFile(join(dir, 'modules.json'), json(modules));
      await writeFile(join(dir, 'sentence_bert_config.json'), json({ max_seq_length: 62, do_lower_case: false }));
      await writeFile(join(dir, 'config_sentence_transformers.json'), json({
        __version__: { sentence_transformers: '3.0.1' },
        prompts: s.name === 'tiny-bert' ? { query: 'query: ', passage: 'passage: ' } : {},
        default_prompt_name: null, similarity_fn_name: 'cosine',
      }));
    }
    made.push(dir);
  }
  await writeFile(join(outDir, 'VERSION'), GENERATOR_VERSION);
  return made;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dirs = await makeTinyModels(process.argv[2] ? resolve(process.argv[2]) : DEFAULT_OUT);
  console.log(`wrote ${dirs.join(', ')}`);
}
