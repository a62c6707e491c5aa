/**
 * The model session: the one loaded encoder with everything that belongs to
 * it — its tokenizer, the files it came from, where they came from, its
 * vocabulary trim and its content hash — and the jobs that need it (embed,
 * trim, export, evaluate). tfjs variables cannot cross workers, so whatever
 * uses the encoder runs where the session lives: workers/model.worker.ts
 * hosts one, Node tests and the CLI make their own.
 */
import { LabError } from '../errors.ts';
import type { Dataset } from '../dataset/types.ts';
import { exportEncoder, type ExportOptions } from '../encoder/export.ts';
import { zipExportedFolder } from '../encoder/export-zip.ts';
import { evaluateTextModel, type DatasetEmbeddings } from '../eval/dense.ts';
import { maxSequenceLength } from '../encoder/config.ts';
import type { EmbeddingCache } from '../eval/embedding-cache.ts';
import type { RunSink } from '../eval/evaluate.ts';
import type { EvalResults } from '../eval/results.ts';
import type { DenseBackend } from '../eval/scoring-model.ts';
import { moduleFiles, parseJsonFile, parseModules, type FileProvider } from '../hub/model-files.ts';
import { sha256Hex } from '../io/sha256.ts';
import type { JobControl } from '../job.ts';
import type { Backend, ModelSource, Pooling, RunConfig, Setting, Tokenization } from '../run-config.ts';
import { embedTexts, loadTextModel, type TextModel } from '../tokenize/text-model.ts';
import type { TokenizerSource } from '../tokenize/tokenizer.ts';
import { trimTextModel, type TrimReport } from '../tokenize/trim-model.ts';

/** How the model was obtained, for display (the RunConfig's ModelSource says it for machines). */
export interface ModelOrigin {
  /** `org/name@revision`, or the folder's name. */
  label: string;
  source: ModelSource;
  host?: string;
  /** Every file came from a cache (no network). */
  fromCache: boolean;
  totalBytes: number;
  seconds: number;
  cacheWarning?: string;
}

/** What the page shows about the loaded model (plain data, crosses the worker boundary). */
export interface ModelInfo extends Omit<ModelOrigin, 'source'> {
  source: ModelSource['source'];
  /** Changes whenever the weights or vocabulary change (trim, fine-tuning): keys the embedding cache. */
  contentHash: string;
  modelType: string;
  dim: number;
  pooling: Pooling;
  normalize: boolean;
  maxLength: number;
  /** The longest max length the position table allows. */
  maxPositions: number;
  layers: number;
  hidden: number;
  vocabSize: number;
  backend: Backend;
  backendReason: string;
  notes: string[];
  prompts: Record<string, string>;
}

export interface SessionEvalOptions extends JobControl {
  tokenization: Tokenization;
  batchSize?: number;
  settings?: readonly Setting[];
  scorer: DenseBackend;
  /** The dataset's content hash (store id), required for caching. */
  datasetHash?: string;
  cache?: EmbeddingCache;
  run?: RunSink;
  /** Filled into the results' description. */
  config?: RunConfig;
  date?: Date;
}

/** Files whose bytes define the model's behaviour: hashed into its identity. */
async function identityFiles(files: FileProvider): Promise<string[]> {
  const base = ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'modules.json', 'sentence_bert_config.json', 'config_sentence_transformers.json'];
  const modules = await files('modules.json');
  if (!modules) return base;
  const m = moduleFiles(parseModules(parseJsonFile(modules, 'modules.json')));
  return [...base, ...m.required, ...m.optional];
}

/** SHA-256 over (path, SHA-256 of bytes) of every identity file present. */
export async function modelContentHash(files: FileProvider): Promise<string> {
  const parts: string[] = [];
  for (const path of await identityFiles(files)) {
    const bytes = await files(path);
    if (bytes) parts.push(`${path}\t${await sha256Hex(bytes)}`);
  }
  return sha256Hex(new TextEncoder().encode(parts.join('\n')));
}

/** A provider that reads each file at most once (kept only as long as the returned provider is). */
function readOnce(files: FileProvider): FileProvider {
  const seen = new Map<string, Promise<Uint8Array | undefined>>();
  return (path) => {
    let p = seen.get(path);
    if (!p) seen.set(path, (p = files(path)));
    return p;
  };
}

export class ModelSession {
  private model: TextModel | undefined;
  private files: FileProvider | undefined;
  private origin: ModelOrigin | undefined;
  private tokenizer: TokenizerSource | undefined;
  private baseHash = '';
  private hash = '';
  /** The hash of the weights a training run started from, once the session's weights were trained. */
  private trainedFrom: string | undefined;
  /** The id of the run that last trained the session's weights (its model card names the run). */
  private trainedBy: string | undefined;

  constructor(private readonly backend: () => { backend: Backend; reason: string } = () => ({ backend: 'cpu', reason: 'no backend was chosen' })) {}

  get loaded(): boolean {
    return this.model !== undefined;
  }

  /** The loaded model, or LabError('invalid-argument') saying none is. */
  textModel(): TextModel {
    if (!this.model) throw new LabError('invalid-argument', 'no model is loaded', {}, 'a model loaded from a hub or a folder');
    return this.model;
  }

  get contentHash(): string {
    this.textModel();
    return this.hash;
  }

  /** Loads a model from its files, replacing the current one only once the new one loaded. */
  async load(files: FileProvider, origin: ModelOrigin, opts: { maxLength?: number; pooling?: Pooling } = {}): Promise<ModelInfo> {
    // The loader, the content hash and the tokenizer source read the same files: each is read once per load
    // (a dropped folder or a disk folder would otherwise read a ~1 GB model.safetensors twice).
    const once = readOnce(files);
    const next = await loadTextModel(once, opts);
    let hash: string;
    let tokenizerJson: Uint8Array | undefined;
    let tokenizerConfig: Uint8Array | undefined;
    try {
      hash = await modelContentHash(once);
      tokenizerJson = await once('tokenizer.json');
      tokenizerConfig = await once('tokenizer_config.json');
    } catch (e) {
      next.encoder.dispose();
      throw e;
    }
    this.model?.encoder.dispose();
    this.model = next;
    this.files = files;
    this.origin = origin;
    this.tokenizer = tokenizerJson ? { tokenizerJson, ...(tokenizerConfig ? { tokenizerConfig } : {}) } : undefined;
    this.baseHash = hash;
    this.hash = hash;
    this.trainedFrom = undefined;
    this.trainedBy = undefined;
    return this.info();
  }

  /** Loads the same files again: the weights as they were before any training (a trim is not re-applied). */
  async reload(opts: { maxLength?: number; pooling?: Pooling } = {}): Promise<ModelInfo> {
    if (!this.files || !this.origin) throw new LabError('invalid-argument', 'no model is loaded');
    return this.load(this.files, this.origin, opts);
  }

  info(): ModelInfo {
    const m = this.textModel();
    const o = this.origin!;
    const c = m.encoder.config;
    const b = this.backend();
    const { source, ...rest } = o;
    return {
      ...rest, source: source.source, contentHash: this.hash,
      modelType: c.modelType, dim: m.encoder.dim, pooling: m.encoder.pooling, normalize: m.encoder.head.normalize,
      maxLength: m.maxLength, maxPositions: maxSequenceLength(c),
      layers: c.layers, hidden: c.hidden, vocabSize: c.vocabSize,
      backend: b.backend, backendReason: b.reason, notes: [...m.encoder.notes], prompts: { ...m.encoder.prompts },
    };
  }

  /** The RunConfig's model source: the folder source carries the content hash, so a config names exactly these weights. */
  modelSource(): ModelSource {
    const s = this.origin?.source;
    if (!s) throw new LabError('invalid-argument', 'no model is loaded');
    return s.source === 'folder' ? { ...s, sha256: this.hash } : s;
  }

  /** The Evaluate form's defaults: the model's max length and its own query / passage prompts (so caches line up). */
  defaultTokenization(): Tokenization {
    const m = this.textModel();
    const p = m.encoder.prompts;
    return { maxLength: m.maxLength, queryPrefix: p.query ?? '', passagePrefix: p.passage ?? p.document ?? '' };
  }

  tokenizerSource(): TokenizerSource {
    this.textModel();
    if (!this.tokenizer) throw new LabError('tokenizer', 'the loaded model has no tokenizer.json');
    return this.tokenizer;
  }

  async embed(texts: readonly string[], prefix = '', ctl: JobControl = {}): Promise<Float32Array[]> {
    return embedTexts(this.textModel(), texts, { prefix, ...(ctl.signal ? { signal: ctl.signal } : {}) });
  }

  /** Keeps only these tokenizer ids (+ specials); the model is then a different model (new content hash). */
  async trim(usedIds: ArrayLike<number>): Promise<TrimReport> {
    const report = trimTextModel(this.textModel(), usedIds, this.tokenizerSource().tokenizerJson);
    const keep = this.textModel().encoder.vocabTrim?.keep;
    // Trained weights stay distinguishable after a trim.
    this.hash = await sha256Hex(new TextEncoder().encode(`${this.trainedFrom ? this.hash : this.baseHash}\ntrim\t${keep ? await sha256Hex(new Uint8Array(keep.buffer, keep.byteOffset, keep.byteLength)) : ''}`));
    return report;
  }

  /**
   * The weights were changed by training (`tag`: the run and its step): from now on the model is another
   * model, so embedding caches and stored results keyed by the hash never mix base and trained vectors.
   */
  async markTrained(tag: string): Promise<void> {
    this.trainedFrom ??= this.hash;
    this.trainedBy = tag.split(':')[0];
    this.hash = await sha256Hex(new TextEncoder().encode(`${this.trainedFrom}\ntrained\t${tag}`));
  }

  /** Whether the session's weights are those with this hash, or were trained from them (a run can then restore its checkpoint). */
  holdsWeightsOf(hash: string): boolean {
    return this.loaded && (this.hash === hash || this.trainedFrom === hash);
  }

  /** The run whose training the session's weights hold, if any. */
  get trainedByRun(): string | undefined {
    return this.trainedFrom !== undefined ? this.trainedBy : undefined;
  }

  /** The model as it is now, as a zipped Hugging Face folder, with a model card (`card`: what the run was). */
  async export(dtype: 'F32' | 'F16' = 'F32', card?: ExportOptions['card']) {
    const m = this.textModel();
    const out = await exportEncoder(m.encoder, { source: this.files!, dtype, card: card ?? { name: this.origin!.label } });
    return { out, zip: zipExportedFolder(out, this.origin!.label) };
  }

  /** Embeds (through the cache when given) and evaluates every setting of the dataset's protocol. */
  async evaluate(dataset: Dataset, opts: SessionEvalOptions): Promise<{ results: EvalResults; embeddings: DatasetEmbeddings }> {
    const r = await evaluateTextModel(this.withMaxLength(opts.tokenization.maxLength), dataset, {
      ...this.embedOptions(opts),
      name: this.origin!.label, scorer: opts.scorer,
      ...(opts.settings ? { settings: opts.settings } : {}),
      ...(opts.run ? { run: opts.run } : {}),
      ...(opts.date ? { date: opts.date } : {}),
    });
    r.results.description.params.modelHash = this.hash;
    if (opts.config) r.results.description.config = opts.config;
    return r;
  }

  /** The loaded model read at another max length (the same weights; only truncation differs). */
  private withMaxLength(maxLength: number): TextModel {
    const m = this.textModel();
    const cap = maxSequenceLength(m.encoder.config);
    if (!Number.isInteger(maxLength) || maxLength < 3 || maxLength > cap) {
      throw new LabError('invalid-argument', `max length ${maxLength} is not usable with this model`, { path: 'tokenization.maxLength' }, `an integer from 3 to the model's ${cap} positions`);
    }
    return maxLength === m.maxLength ? m : { ...m, maxLength };
  }

  private embedOptions(opts: SessionEvalOptions) {
    return {
      tokenization: opts.tokenization,
      ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.cache && opts.datasetHash ? { cache: { store: opts.cache, modelHash: this.hash, datasetHash: opts.datasetHash } } : {}),
    };
  }

  dispose(): void {
    this.model?.encoder.dispose();
    this.model = undefined;
  }
}
