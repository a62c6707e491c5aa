/**
 * The lab's tokenizer: a Hugging Face `tokenizer.json` run by
 * @xenova/transformers, built straight from the JSON in memory (no fetch, no
 * file system, so the same code runs in Node, a worker and a dropped folder).
 *
 * Truncation and special tokens are done here, not by transformers.js: its
 * `truncation: true` cuts the sequence AFTER adding [CLS]/[SEP], dropping the
 * final [SEP] (PLATFORM.md). We encode without specials, cut the content to
 * `maxLength - specials`, then add the model's own specials around it, which
 * we read off the tokenizer's post-processor (BERT: [CLS] … [SEP];
 * XLM-R: <s> … </s>) instead of hard-coding them.
 *
 * Output is ragged (ids + offsets) so it can be cached per dataset and
 * padded per batch (see batch.ts).
 */
import { AutoTokenizer, PreTrainedTokenizer } from '@xenova/transformers';
import { LabError } from '../errors.ts';
import { sha256Hex } from '../io/sha256.ts';
import { parseJsonFile, type FileProvider } from '../hub/model-files.ts';

/** Token ids of many texts, back to back: text i is ids[offsets[i] .. offsets[i+1]). */
export interface RaggedTokens {
  ids: Int32Array;
  offsets: Int32Array;
  /**
   * How many texts were cut to the max length, when known (set by encodeBatch
   * and kept by the token cache). A text that exactly fills the max length is
   * not truncated, so this cannot be recovered from the lengths alone.
   */
  truncated?: number;
}

export interface EncodeOptions {
  /** Maximum sequence length INCLUDING the special tokens. */
  maxLength: number;
  /** Prepended to every text before tokenization, e.g. `query: ` / `passage: ` for e5 models. */
  prefix?: string;
}

/** What a tokenizer is made of; bytes as read from the model folder. */
export interface TokenizerSource {
  tokenizerJson: Uint8Array;
  tokenizerConfig?: Uint8Array | undefined;
}

const decoder = new TextDecoder();

interface TokenizerCore {
  encode(text: string, pair?: string | null, opts?: { add_special_tokens?: boolean }): number[];
}

export class LabTokenizer {
  /** Specials before / after the content for one sequence, e.g. [101] / [102]. */
  readonly prefixIds: readonly number[];
  readonly suffixIds: readonly number[];
  readonly padId: number;
  readonly unkId: number;
  readonly vocabSize: number;
  /** `model_max_length` from tokenizer_config.json, when it says one (sane values only). */
  readonly modelMaxLength: number | undefined;

  private constructor(
    private readonly core: TokenizerCore,
    /** sha256 of tokenizer.json + tokenizer_config.json: the token cache's key. */
    readonly hash: string,
    info: { prefixIds: number[]; suffixIds: number[]; padId: number; unkId: number; vocabSize: number; modelMaxLength: number | undefined },
  ) {
    this.prefixIds = info.prefixIds;
    this.suffixIds = info.suffixIds;
    this.padId = info.padId;
    this.unkId = info.unkId;
    this.vocabSize = info.vocabSize;
    this.modelMaxLength = info.modelMaxLength;
  }

  /** Reads tokenizer.json (+ tokenizer_config.json when present) through a model file provider. */
  static async fromProvider(files: FileProvider): Promise<LabTokenizer> {
    const tokenizerJson = await files('tokenizer.json');
    if (!tokenizerJson) {
      throw new LabError('tokenizer', 'the model has no tokenizer.json', { file: 'tokenizer.json' },
        'a Hugging Face "fast" tokenizer file next to config.json');
    }
    return LabTokenizer.fromSource({ tokenizerJson, tokenizerConfig: await files('tokenizer_config.json') });
  }

  static async fromSource(src: TokenizerSource): Promise<LabTokenizer> {
    const json = parse(src.tokenizerJson, 'tokenizer.json');
    const config = src.tokenizerConfig ? parse(src.tokenizerConfig, 'tokenizer_config.json') : {};
    if (typeof (json as { model?: unknown }).model !== 'object') {
      throw new LabError('tokenizer', 'has no "model" section', { file: 'tokenizer.json', path: 'model' }, 'a Hugging Face tokenizers JSON file');
    }
    // tokenizers' JSON keeps truncation/padding settings; we do both ourselves.
    const cleanJson = { ...json, truncation: null, padding: null, added_tokens: (json as { added_tokens?: unknown }).added_tokens ?? [] };
    const className = typeof config.tokenizer_class === 'string' ? config.tokenizer_class.replace(/Fast$/, '') : '';
    const mapping = AutoTokenizer.TOKENIZER_CLASS_MAPPING as unknown as Record<string, new (j: unknown, c: unknown) => PreTrainedTokenizer>;
    const Cls = mapping[className] ?? PreTrainedTokenizer;
    let tok: PreTrainedTokenizer;
    try {
      tok = new Cls(cleanJson, config);
    } catch (e) {
      throw new LabError('tokenizer', `cannot be loaded: ${e instanceof Error ? e.message : String(e)}`, { file: 'tokenizer.json' },
        'a WordPiece, Unigram or BPE tokenizer in Hugging Face format');
    }
    const core = tok as unknown as TokenizerCore & {
      model: { tokens_to_ids: Map<string, number>; vocab: unknown[]; unk_token_id?: number };
      pad_token_id?: number;
    };
    const { prefixIds, suffixIds } = detectSpecials(core);
    let vocabSize = core.model.vocab.length;
    for (const id of core.model.tokens_to_ids.values()) if (id + 1 > vocabSize) vocabSize = id + 1;
    const unkId = core.model.unk_token_id ?? core.model.tokens_to_ids.get('[UNK]') ?? core.model.tokens_to_ids.get('<unk>') ?? 0;
    const padId = core.pad_token_id ?? core.model.tokens_to_ids.get('[PAD]') ?? core.model.tokens_to_ids.get('<pad>') ?? 0;
    const mml = typeof config.model_max_length === 'number' && config.model_max_length > 0 && config.model_max_length < 1e6
      ? config.model_max_length : undefined;
    const hash = await hashParts(src.tokenizerJson, src.tokenizerConfig);
    return new LabTokenizer(core, hash, { prefixIds, suffixIds, padId, unkId, vocabSize, modelMaxLength: mml });
  }

  /** Ids of one text with the model's special tokens, at most `maxLength` long; the closing special always survives. */
  encode(text: string, opts: EncodeOptions): number[] {
    return this.encodeCounted(text, opts).ids;
  }

  private encodeCounted(text: string, opts: EncodeOptions): { ids: number[]; truncated: boolean } {
    const budget = this.contentBudget(opts.maxLength);
    const content = this.core.encode((opts.prefix ?? '') + text, null, { add_special_tokens: false });
    const truncated = content.length > budget;
    const cut = truncated ? content.slice(0, budget) : content;
    return { ids: [...this.prefixIds, ...cut, ...this.suffixIds], truncated };
  }

  /** Many texts at once, ragged. */
  encodeBatch(texts: readonly string[], opts: EncodeOptions, onProgress?: (done: number) => void): RaggedTokens {
    this.contentBudget(opts.maxLength);
    const parts: number[][] = [];
    const offsets = new Int32Array(texts.length + 1);
    let total = 0;
    let truncated = 0;
    for (let i = 0; i < texts.length; i++) {
      const r = this.encodeCounted(texts[i]!, opts);
      const ids = r.ids;
      if (r.truncated) truncated++;
      parts.push(ids);
      total += ids.length;
      offsets[i + 1] = total;
      if (onProgress && (i + 1) % 1000 === 0) onProgress(i + 1);
    }
    const ids = new Int32Array(total);
    for (let i = 0; i < parts.length; i++) ids.set(parts[i]!, offsets[i]!);
    onProgress?.(texts.length);
    return { ids, offsets, truncated };
  }

  private contentBudget(maxLength: number): number {
    const specials = this.prefixIds.length + this.suffixIds.length;
    if (!Number.isInteger(maxLength) || maxLength <= specials) {
      throw new LabError('invalid-argument', `max length ${maxLength} leaves no room for text`, { path: 'model.maxLength' },
        `an integer greater than ${specials} (the special tokens)`);
    }
    return maxLength - specials;
  }
}

function parse(bytes: Uint8Array, file: string): Record<string, unknown> {
  const v = parseJsonFile(bytes, file, 'tokenizer');
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new LabError('tokenizer', 'is not a JSON object', { file }, 'an object');
  return v as Record<string, unknown>;
}

/** Finds the specials the post-processor puts around a single sequence by encoding a probe with and without them. */
function detectSpecials(core: TokenizerCore): { prefixIds: number[]; suffixIds: number[] } {
  for (const probe of ['a', 'the', '1', 'x']) {
    const bare = core.encode(probe, null, { add_special_tokens: false });
    if (bare.length === 0) continue;
    const full = core.encode(probe, null, { add_special_tokens: true });
    for (let i = 0; i + bare.length <= full.length; i++) {
      if (bare.every((id, k) => full[i + k] === id)) return { prefixIds: full.slice(0, i), suffixIds: full.slice(i + bare.length) };
    }
  }
  throw new LabError('tokenizer', 'cannot find where the special tokens go', { file: 'tokenizer.json', path: 'post_processor' },
    'a post-processor that wraps the text (e.g. [CLS] … [SEP])');
}

async function hashParts(...parts: (Uint8Array | undefined)[]): Promise<string> {
  const chunks = parts.filter((p): p is Uint8Array => p !== undefined);
  const len = chunks.reduce((s, c) => s + c.byteLength + 1, 0);
  const all = new Uint8Array(len);
  let o = 0;
  for (const c of chunks) {
    all.set(c, o);
    o += c.byteLength + 1; // a zero byte between files so (a, bc) and (ab, c) differ
  }
  return sha256Hex(all);
}
