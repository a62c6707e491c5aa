/**
 * Export a (fine-tuned, possibly vocabulary-trimmed) encoder as a Hugging Face folder
 * that Transformers / sentence-transformers load:
 *
 *   config.json              the original config, vocab_size updated after trimming
 *   model.safetensors        float32, canonical prefixed names (`bert.` / `roberta.` /
 *                            `distilbert.`), Linear weights back in PyTorch's [out, in]
 *   modules.json, 1_Pooling/config.json, 2_Dense/…, config_sentence_transformers.json,
 *   sentence_bert_config.json   when the model is a sentence-transformers model or has a head
 *   tokenizer files          copied from the source folder; after trimming, tokenizer.json
 *                            and vocab.txt are rewritten to the kept tokens with the new ids,
 *                            so the exported folder is self-consistent
 *   README.md                a model card (core/model/model-card.ts): the run, its data, results and software
 *   vocab_trim.json          after trimming: original vocabulary size and, for each new
 *                            id, the original id (`kept_ids`) — what was done, for provenance
 */
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../errors.ts';
import { modelCard, type ModelCardInput } from '../model/model-card.ts';
import { LAB_VERSION } from '../version.ts';
import { DENSE_ACTIVATION_CLASS, type FileProvider } from './st-layout.ts';
import type { Encoder } from './model.ts';
import { writeSafetensors, type TensorToWrite } from './safetensors.ts';
import { ARCH_PREFIX } from './weights.ts';
import type { VocabTrim } from './trim.ts';

export interface ExportOptions {
  /** The source model folder, to copy tokenizer files from. */
  source?: FileProvider;
  /** What the model card (README.md, written into every export) tells: the run, its data and results. */
  card?: Omit<ModelCardInput, 'dim' | 'pooling' | 'maxLength' | 'versions'>;
  /** Storage dtype of model.safetensors (default F32). */
  dtype?: 'F32' | 'F16' | 'BF16';
}

export interface ExportedFolder {
  /** Relative path → bytes. */
  files: Map<string, Uint8Array>;
  notes: string[];
}

const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt', 'sentencepiece.bpe.model', 'added_tokens.json'];

const enc8 = new TextEncoder();
const jsonBytes = (v: unknown): Uint8Array => enc8.encode(`${JSON.stringify(v, null, 2)}\n`);

export async function exportEncoder(enc: Encoder, opts: ExportOptions = {}): Promise<ExportedFolder> {
  const files = new Map<string, Uint8Array>();
  const notes: string[] = [];
  const cfg = enc.config;
  const prefix = ARCH_PREFIX[cfg.modelType];

  const raw = { ...cfg.raw, vocab_size: cfg.vocabSize, torch_dtype: opts.dtype === 'F16' ? 'float16' : opts.dtype === 'BF16' ? 'bfloat16' : 'float32' };
  files.set('config.json', jsonBytes(raw));

  const tensors: TensorToWrite[] = [];
  for (const [name, { spec, variable }] of enc.params) {
    const data = (await variable.data()) as Float32Array;
    const out = spec.linear ? transpose2d(data, spec.shape[1]!, spec.shape[0]!) : Float32Array.from(data);
    tensors.push({ name: prefix + name, shape: spec.shape, data: out, dtype: opts.dtype ?? 'F32' });
  }
  files.set('model.safetensors', writeSafetensors(tensors, { format: 'pt' }));

  const head = enc.head;
  const st = head.sentenceTransformers || head.dense.length > 0 || head.normalize || enc.poolingOverride !== undefined;
  if (st) {
    const modules: { idx: number; name: string; path: string; type: string }[] = [
      { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
    ];
    const poolPath = head.poolingPath || '1_Pooling';
    modules.push({ idx: 1, name: '1', path: poolPath, type: 'sentence_transformers.models.Pooling' });
    files.set(`${poolPath}/config.json`, jsonBytes({
      word_embedding_dimension: cfg.hidden, pooling_mode_cls_token: enc.pooling === 'cls',
      pooling_mode_mean_tokens: enc.pooling === 'mean', pooling_mode_max_tokens: false,
      pooling_mode_mean_sqrt_len_tokens: false, pooling_mode_weightedmean_tokens: false, pooling_mode_lasttoken: false,
      include_prompt: true,
    }));
    for (const [i, d] of head.dense.entries()) {
      const vars = enc.denseVars[i]!;
      const w = (await vars.weight.data()) as Float32Array;
      const dense: TensorToWrite[] = [{ name: 'linear.weight', shape: [d.outFeatures, d.inFeatures], data: transpose2d(w, d.inFeatures, d.outFeatures) }];
      if (vars.bias) dense.push({ name: 'linear.bias', shape: [d.outFeatures], data: Float32Array.from((await vars.bias.data()) as Float32Array) });
      files.set(`${d.path}/config.json`, jsonBytes({
        ...d.raw, in_features: d.inFeatures, out_features: d.outFeatures, bias: vars.bias !== undefined,
        activation_function: DENSE_ACTIVATION_CLASS[d.activation],
      }));
      files.set(`${d.path}/model.safetensors`, writeSafetensors(dense, { format: 'pt' }));
      modules.push({ idx: modules.length, name: String(modules.length), path: d.path, type: 'sentence_transformers.models.Dense' });
    }
    if (head.normalize) {
      modules.push({ idx: modules.length, name: String(modules.length), path: `${modules.length}_Normalize`, type: 'sentence_transformers.models.Normalize' });
    }
    files.set('modules.json', jsonBytes(modules));
    files.set('config_sentence_transformers.json', jsonBytes({ prompts: head.prompts, default_prompt_name: null, similarity_fn_name: 'cosine' }));
    files.set('sentence_bert_config.json', jsonBytes({ max_seq_length: head.maxSeqLength ?? Math.min(512, cfg.maxPositions), do_lower_case: false }));
  }

  if (opts.source) {
    for (const f of TOKENIZER_FILES) {
      const bytes = await opts.source(f);
      if (!bytes) continue;
      if (!enc.vocabTrim) {
        files.set(f, bytes);
      } else if (f === 'tokenizer.json') {
        files.set(f, jsonBytes(remapTokenizerJson(JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>, enc.vocabTrim)));
      } else if (f === 'vocab.txt') {
        const lines = new TextDecoder().decode(bytes).split('\n');
        files.set(f, enc8.encode(`${Array.from(enc.vocabTrim.keep, (i) => lines[i] ?? '').join('\n')}\n`));
      } else if (f === 'sentencepiece.bpe.model') {
        notes.push('sentencepiece.bpe.model not exported: it cannot be rewritten for the trimmed vocabulary (tokenizer.json is)');
      } else {
        files.set(f, bytes);
      }
    }
  } else {
    notes.push('no source folder given: tokenizer files not exported');
  }
  if (enc.vocabTrim) {
    files.set('vocab_trim.json', jsonBytes({
      original_vocab_size: enc.vocabTrim.originalVocabSize,
      note: 'row i of the exported word embeddings is row kept_ids[i] of the original model; tokenizer.json and vocab.txt are already rewritten to the new ids',
      kept_ids: Array.from(enc.vocabTrim.keep),
    }));
  }
  const card: ModelCardInput = {
    name: 'polyglot-lab-model', ...opts.card,
    dim: enc.dim, pooling: enc.pooling, maxLength: head.maxSeqLength ?? Math.min(512, cfg.maxPositions),
    versions: { 'polyglot-lab': LAB_VERSION, '@tensorflow/tfjs': tf.version.tfjs },
  };
  files.set('README.md', enc8.encode(modelCard(card)));
  return { files, notes };
}

function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  // data is [rows, cols] row-major → [cols, rows]
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  return out;
}

/**
 * Rewrites a tokenizers `tokenizer.json` for a trimmed vocabulary: keeps the kept tokens with
 * their new ids (WordPiece / BPE vocab maps, Unigram vocab lists), renumbers added tokens and
 * the post-processor's special-token ids, drops BPE merges that reference dropped tokens.
 */
export function remapTokenizerJson(tok: Record<string, unknown>, trim: Pick<VocabTrim, 'remap' | 'keep'>): Record<string, unknown> {
  const out = structuredClone(tok) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const re = (id: number): number => {
    const n = trim.remap[id];
    if (n === undefined || n < 0) throw new LabError('tokenizer', `special token id ${id} was trimmed away`, { file: 'tokenizer.json' });
    return n;
  };
  const model = out.model as Record<string, any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (!model) throw new LabError('tokenizer', 'no "model" section', { file: 'tokenizer.json', path: 'model' });
  if (model.type === 'WordPiece' || model.type === 'BPE') {
    const vocab: Record<string, number> = {};
    for (const [t, id] of Object.entries(model.vocab as Record<string, number>)) {
      const n = trim.remap[id];
      if (n !== undefined && n >= 0) vocab[t] = n;
    }
    model.vocab = vocab;
    if (model.type === 'BPE' && Array.isArray(model.merges)) {
      model.merges = (model.merges as (string | [string, string])[]).filter((m) => {
        const [a, b] = typeof m === 'string' ? m.split(' ') : m;
        return a !== undefined && b !== undefined && a in vocab && b in vocab && `${a}${b}` in vocab;
      });
    }
  } else if (model.type === 'Unigram') {
    const list = model.vocab as [string, number][];
    model.vocab = Array.from(trim.keep, (i) => list[i]);
    if (typeof model.unk_id === 'number') model.unk_id = re(model.unk_id);
  } else {
    throw new LabError('model-unsupported', `tokenizer model type ${JSON.stringify(model.type)} cannot be trimmed`, { file: 'tokenizer.json', path: 'model.type' }, 'WordPiece, BPE or Unigram');
  }
  if (Array.isArray(out.added_tokens)) {
    out.added_tokens = (out.added_tokens as { id: number }[]).filter((t) => (trim.remap[t.id] ?? -1) >= 0).map((t) => ({ ...t, id: re(t.id) }));
  }
  const fixPost = (pp: Record<string, any> | null | undefined): void => { // eslint-disable-line @typescript-eslint/no-explicit-any
    if (!pp) return;
    if (Array.isArray(pp.processors)) for (const p of pp.processors) fixPost(p);
    for (const k of ['sep', 'cls']) if (Array.isArray(pp[k])) pp[k] = [pp[k][0], re(pp[k][1])];
    if (pp.special_tokens && typeof pp.special_tokens === 'object') {
      for (const st of Object.values(pp.special_tokens as Record<string, { ids: number[] }>)) st.ids = st.ids.map(re);
    }
  };
  fixPost(out.post_processor);
  if (out.padding && typeof out.padding.pad_id === 'number') out.padding.pad_id = re(out.padding.pad_id);
  return out;
}
