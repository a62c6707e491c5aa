/**
 * A loaded model as the rest of the lab uses it: the encoder (src/core/encoder)
 * and its tokenizer, with one max length, and "texts in, embeddings out".
 *
 * Batches are formed from texts of similar length (sorted), so a corpus of
 * short and long passages pads little; results come back in input order.
 * Padding never changes an embedding (the attention and pooling masks ignore
 * it), so sorting is invisible except in speed.
 */
import { LabError } from '../errors.ts';
import { throwIfCancelled } from '../job.ts';
import { yieldToEventLoop } from '../yield.ts';
import type { Pooling } from '../run-config.ts';
import type { FileProvider } from '../hub/model-files.ts';
import { loadEncoder, type LoadOptions } from '../encoder/load.ts';
import { maxSequenceLength } from '../encoder/config.ts';
import type { Encoder } from '../encoder/model.ts';
import { LabTokenizer, type RaggedTokens } from './tokenizer.ts';
import { padBatch, remapIds } from './batch.ts';

export interface TextModel {
  encoder: Encoder;
  tokenizer: LabTokenizer;
  /** Tokens per text, specials included. */
  maxLength: number;
}

export interface TextModelOptions extends LoadOptions {
  /** Requested max length; capped by the model's position table. Default: the model's own (sentence_bert_config / tokenizer), else 128. */
  maxLength?: number;
  pooling?: Pooling;
}

export const DEFAULT_MAX_LENGTH = 128;

export async function loadTextModel(files: FileProvider, opts: TextModelOptions = {}): Promise<TextModel> {
  const { maxLength: requested, ...load } = opts;
  const tokenizer = await LabTokenizer.fromProvider(files);
  const encoder = await loadEncoder(files, load);
  if (tokenizer.vocabSize > encoder.config.vocabSize) {
    encoder.dispose();
    throw new LabError('model-config', `tokenizer.json has ${tokenizer.vocabSize} tokens but config.json vocab_size is ${encoder.config.vocabSize}`,
      { file: 'tokenizer.json' }, 'the tokenizer that belongs to this model');
  }
  const cap = maxSequenceLength(encoder.config);
  const wanted = requested ?? encoder.head.maxSeqLength ?? Math.min(tokenizer.modelMaxLength ?? DEFAULT_MAX_LENGTH, DEFAULT_MAX_LENGTH);
  if (requested !== undefined && (!Number.isInteger(requested) || requested < 3)) {
    encoder.dispose();
    throw new LabError('invalid-argument', `max length ${requested} is not usable`, { path: 'tokenization.maxLength' }, 'an integer ≥ 3');
  }
  // Asking for more tokens than the position table has is a mistake to report, not to cap silently:
  // the user would believe texts were embedded whole.
  if (requested !== undefined && requested > cap) {
    encoder.dispose();
    throw new LabError('invalid-argument', `max length ${requested} is above the model's ${cap} positions`, { path: 'tokenization.maxLength' }, `at most ${cap}`);
  }
  return { encoder, tokenizer, maxLength: Math.min(wanted, cap) };
}

export interface EmbedTextsOptions {
  /** Prepended to every text (e.g. `query: `); default none. */
  prefix?: string;
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
  /** Checked between batches; a fired signal throws LabError('cancelled'). */
  signal?: AbortSignal;
}

/** Embeds texts (pooled, normalized as the model says) in input order. */
export async function embedTexts(model: TextModel, texts: readonly string[], opts: EmbedTextsOptions = {}): Promise<Float32Array[]> {
  const tokens = model.tokenizer.encodeBatch(texts, { maxLength: model.maxLength, prefix: opts.prefix ?? '' });
  return embedTokens(model, tokens, opts);
}

/**
 * Embeds already tokenized texts (e.g. from the token cache), in tokenizer
 * ids: when the encoder's vocabulary was trimmed, its remap is applied here.
 */
export async function embedTokens(model: TextModel, tokens: RaggedTokens, opts: EmbedTextsOptions = {}): Promise<Float32Array[]> {
  const trim = model.encoder.vocabTrim;
  const ragged = trim ? remapIds(tokens, trim) : tokens;
  const n = ragged.offsets.length - 1;
  const batchSize = opts.batchSize ?? 32;
  const len = (i: number) => ragged.offsets[i + 1]! - ragged.offsets[i]!;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => len(a) - len(b) || a - b);
  const out = new Array<Float32Array>(n);
  let lastYield = performance.now();
  for (let s = 0; s < n; s += batchSize) {
    // Let a worker's cancel message in about every 100 ms (setTimeout(0) per batch would cost 4 ms each in browsers).
    if (opts.signal && performance.now() - lastYield > 100) {
      await yieldToEventLoop();
      lastYield = performance.now();
    }
    throwIfCancelled(opts.signal, 'embedding');
    const rows = order.slice(s, s + batchSize);
    const b = padBatch(ragged, rows, model.tokenizer.padId);
    const vecs = await model.encoder.embed({ ids: b.inputIds, mask: b.attentionMask, batch: b.batchSize, seq: b.seqLen });
    rows.forEach((r, k) => { out[r] = vecs[k]!; });
    opts.onProgress?.(Math.min(s + batchSize, n), n);
  }
  return out;
}
