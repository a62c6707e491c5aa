/**
 * RunConfig: one value that describes a run end to end — what kind of run,
 * which model (where its bytes come from), which datasets (by content hash),
 * how texts are tokenized, what is evaluated, on which backend, with which
 * seed. Results objects carry the config that made them, and a share link
 * will be this object serialized, so it is small (no texts, no weights),
 * versioned, and parsed strictly: an unknown key, a wrong type or an
 * out-of-range value is an error naming its path (`model.revision`,
 * `datasets[0].shards[2].sha256`).
 *
 * Declared once with zod: the TypeScript types, the parser and the JSON
 * Schema (`npm run lab -- schema`) all come from the same declaration.
 * Add fields here rather than inventing parallel option bags elsewhere.
 */
import { z } from 'zod';
import { LabError } from './errors.ts';
import { isLanguageCode } from './dataset/languages.ts';
import { schemaError } from './schema-errors.ts';

export const RUN_CONFIG_VERSION = 1;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case hex SHA-256 (64 characters)');
const shortText = (max: number) => z.string().max(max);

export const SettingSchema = z.enum(['mono', 'cross', 'multi']).describe('mono: x→x; cross: x→y, x≠y; multi: x→pool of all languages');
export const BackendSchema = z.enum(['webgpu', 'wasm', 'cpu']);
export const BackendPreferenceSchema = z.enum(['auto', 'webgpu', 'wasm', 'cpu']).describe('auto: WebGPU on a hardware adapter, else wasm, else cpu');
export const PoolingSchema = z.enum(['mean', 'cls']);

/** Hosts a remote input may be fetched from: https anywhere, http only on this machine (a local server). */
export function isAllowedRemote(u: string): boolean {
  let url: URL;
  try { url = new URL(u); } catch { return false; }
  if (url.username || url.password) return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]');
}

const remoteUrl = z.string().max(2000).refine(isAllowedRemote, 'an https URL without credentials (http only for localhost)');

const column = z.string().min(1).max(500);
/** A Parquet shard's column roles where the user chose them (core/dataset/parse-parquet.ts's ParquetColumns). */
export const ParquetColumnsSchema = z.strictObject({
  id: column.optional(), text: column.optional(), title: column.optional(), lang: column.optional(),
  queryId: column.optional(), docId: column.optional(), score: column.optional(),
}).refine((c) => Object.keys(c).length > 0, 'at least one role');

export const DatasetRefSchema = z.strictObject({
  name: z.string().min(1).max(200).describe('display name; the shards are what identifies the dataset'),
  shards: z.array(z.strictObject({
    name: z.string().min(1).max(1000), sha256,
    url: remoteUrl.optional().describe('where the shard can be fetched (a share link offers to, after the user confirms; the bytes must have the SHA-256)'),
    columns: ParquetColumnsSchema.optional().describe('Parquet: which column is the id, text, title, … where the names alone do not say'),
    lang: z.string().refine(isLanguageCode, 'an ISO 639-1 code the lab knows (src/core/dataset/languages.ts)').optional()
      .describe("the shard's language where its name and folder do not give it (chosen at import, or lab's --lang)"),
  })).min(1).max(10_000)
    .describe('the files, by the SHA-256 of their bytes as stored'),
  split: z.enum(['all', 'train', 'validation', 'test']).default('all').describe('seeded split by parallel group / article (all = no split)'),
});

const HubModelSchema = z.strictObject({
  source: z.literal('hub'),
  id: z.string().min(1).max(200).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/, 'a hub id like "org/name"'),
  revision: z.string().min(1).max(200).regex(/^[^\s?#]+$/, 'a branch, tag or commit hash').default('main'),
  host: z.url({ protocol: /^https?$/ }).max(500).default('https://huggingface.co'),
});
const FolderModelSchema = z.strictObject({
  source: z.literal('folder'),
  name: z.string().min(1).max(200),
  sha256: sha256.describe('content hash of the model (weights, config, tokenizer, trim), as the app computes it'),
});
const GeneratedModelSchema = z.strictObject({
  source: z.literal('generated'),
  architecture: z.strictObject({
    layers: z.int().min(1).max(48),
    hidden: z.int().min(8).max(4096),
    heads: z.int().min(1).max(64),
    intermediate: z.int().min(8).max(16_384),
    maxPositions: z.int().min(8).max(8192),
  }).describe('a BERT the lab initializes itself (training from scratch), seeded by the run seed'),
  tokenizer: z.strictObject({ name: z.string().min(1).max(1000), sha256 }).describe('its tokenizer.json, by name (a path relative to the config on the command line) and content hash'),
});
const Bm25ModelSchema = z.strictObject({
  source: z.literal('bm25'),
  k1: z.number().min(0).max(10).default(0.9),
  b: z.number().min(0).max(1).default(0.4),
});
export const ModelSourceSchema = z.discriminatedUnion('source', [HubModelSchema, FolderModelSchema, GeneratedModelSchema, Bm25ModelSchema]);

export const TokenizationSchema = z.strictObject({
  maxLength: z.int().min(3).max(8192).default(128).describe('tokens per text, specials included'),
  queryPrefix: shortText(200).default('query: '),
  passagePrefix: shortText(200).default('passage: '),
  pooling: PoolingSchema.optional().describe("overrides the model's sentence-transformers pooling"),
});

export const EvalConfigSchema = z.strictObject({
  settings: z.array(SettingSchema).min(1).max(3).default(['mono', 'cross', 'multi']),
  depth: z.union([z.int().min(1).max(1_000_000), z.literal('all')]).default(1000).describe('run-file depth; metrics always use the full ranking'),
  batchSize: z.int().min(1).max(4096).default(32).describe('texts per encoder batch'),
});

const unitInterval = z.number().min(0).max(1);
export const AlphaScheduleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('constant'), alpha: unitInterval }),
  z.strictObject({ kind: z.literal('linear'), from: unitInterval, to: unitInterval, steps: z.int().min(1) }),
  z.strictObject({ kind: z.literal('cosine'), from: unitInterval, to: unitInterval, steps: z.int().min(1) }),
  z.strictObject({ kind: z.literal('step'), values: z.array(unitInterval).min(1).max(1000), every: z.int().min(1) }),
  z.strictObject({ kind: z.literal('adaptive'), initial: unitInterval, min: unitInterval, max: unitInterval, rate: z.number().gt(0).max(1), signal: z.enum(['loss', 'map']) }),
]).describe('the probability of an X-X batch over training (README: alpha schedules)');

export const TrainConfigSchema = z.strictObject({
  data: z.array(DatasetRefSchema).min(1).max(32).describe('training data (its split: usually "train"); RunConfig.datasets are evaluated before and after'),
  heldOutLanguages: z.array(z.string().regex(/^[a-z]{2,3}$/)).max(200).default([]).describe('languages never drawn in training (the paper: el, vi)'),
  sampler: z.enum(['xx', 'xy', 'multi', 'hybrid']).default('hybrid'),
  crossMode: z.enum(['batch', 'pair']).default('batch').describe('X-Y: one (x, y) per batch, or per pair'),
  alpha: AlphaScheduleSchema.default({ kind: 'constant', alpha: 0.5 }),
  batchSize: z.int().min(2).max(4096).default(32),
  accumulation: z.int().min(1).max(256).default(1).describe('batches per optimizer step'),
  freezeEmbeddings: z.boolean().default(false).describe('keep the embedding tables (and their LayerNorm) fixed'),
  freezeBottomLayers: z.int().min(0).max(1000).default(0).describe('keep the lowest N transformer layers fixed'),
  fastPath: z.boolean().default(true).describe("on WebGPU, run each step in the project's own WGSL kernels (src/core/fast); false keeps tfjs's ops, the reference"),
  cacheChunk: z.int().min(1).max(4096).optional().describe('gradient cache: encode a batch in token batches of this many texts and back-propagate one at a time (same gradients, less memory)'),
  steps: z.int().min(1).max(10_000_000).default(1000),
  lr: z.number().gt(0).max(1).default(3e-5),
  warmupSteps: z.int().min(0).max(10_000_000).default(0),
  weightDecay: z.number().min(0).max(1).default(0.01),
  maxGradNorm: z.number().gt(0).max(1e6).default(1),
  temperature: z.number().gt(0).max(100).default(0.05),
  loss: z.enum(['in-batch', 'paper', 'symmetric']).default('in-batch'),
  mining: z.strictObject({
    method: z.literal('bm25').describe('BM25 over the same language\'s passages (lab mine --method model mines with an encoder, into pairs JSONL)'),
    from: z.int().min(1).max(100_000).default(10).describe('first rank a negative may come from (skips likely false negatives at the top)'),
    to: z.int().min(1).max(100_000).default(100),
    perPair: z.int().min(1).max(64).default(4),
    seed: z.int().min(0).max(2 ** 31 - 1).optional().describe('default: the run seed'),
  }).refine((m) => m.from <= m.to, { message: 'from must not exceed to', path: ['to'] })
    .refine((m) => m.perPair <= m.to - m.from + 1, { message: 'more negatives per pair than ranks in the window', path: ['perPair'] })
    .optional().describe('hard negatives mined from the training data before the first step (FlagEmbedding hn_mine), added to each pair'),
  splitSeed: z.int().optional().describe('the seed of the train / validation / test split by parallel group or article (default: the run seed); an experiment keeps it fixed so every seed is evaluated on the same held-out data'),
  splitFractions: z.strictObject({ train: unitInterval, validation: unitInterval, test: unitInterval })
    .default({ train: 0.8, validation: 0.1, test: 0.1 }).describe('how datasets with split train/validation/test are cut, by article or parallel group, seeded'),
  checkpointEvery: z.int().min(1).max(10_000_000).default(100),
  validateEvery: z.int().min(0).max(10_000_000).default(0).describe('steps between validations on the validation split (0: never)'),
  validationBatches: z.int().min(1).max(1000).default(4).describe('fixed X-X and X-Y batches per validation loss'),
  earlyStoppingPatience: z.int().min(0).max(10_000).default(0).describe('stop after this many validations without a lower validation loss (0: never)'),
});

export const RunConfigSchema = z.strictObject({
  version: z.literal(RUN_CONFIG_VERSION),
  kind: z.enum(['bm25', 'eval', 'train']).describe('bm25: the lexical baseline; eval: a dense encoder evaluated as it is; train: fine-tune, then evaluate base and trained'),
  model: ModelSourceSchema,
  datasets: z.array(DatasetRefSchema).min(1).max(32),
  tokenization: TokenizationSchema.default({ maxLength: 128, queryPrefix: 'query: ', passagePrefix: 'passage: ' }),
  eval: EvalConfigSchema.default({ settings: ['mono', 'cross', 'multi'], depth: 1000, batchSize: 32 }),
  backend: BackendPreferenceSchema.default('auto'),
  seed: z.int().min(0).max(2 ** 32 - 1).default(42),
  train: TrainConfigSchema.optional(),
}).superRefine((c, ctx) => {
  if ((c.kind === 'train') !== (c.train !== undefined)) {
    ctx.addIssue({ code: 'custom', path: ['train'], message: c.kind === 'train' ? 'a train run needs a "train" section' : `a ${c.kind} run has no "train" section` });
  }
  if (c.train) {
    const f = c.train.splitFractions;
    if (Math.abs(f.train + f.validation + f.test - 1) > 1e-9) ctx.addIssue({ code: 'custom', path: ['train', 'splitFractions'], message: 'the fractions must sum to 1' });
    if (c.train.warmupSteps > c.train.steps) ctx.addIssue({ code: 'custom', path: ['train', 'warmupSteps'], message: `more warmup steps than the ${c.train.steps} steps` });
    const a = c.train.alpha;
    if (a.kind === 'adaptive' && !(a.min <= a.initial && a.initial <= a.max)) ctx.addIssue({ code: 'custom', path: ['train', 'alpha'], message: 'min ≤ initial ≤ max must hold' });
    const needsValidation = a.kind === 'adaptive' || c.train.earlyStoppingPatience > 0;
    if (needsValidation && c.train.validateEvery === 0) ctx.addIssue({ code: 'custom', path: ['train', 'validateEvery'], message: 'the adaptive alpha and early stopping need validations: set validateEvery' });
    if (c.train.validateEvery > 0 && f.validation === 0) ctx.addIssue({ code: 'custom', path: ['train', 'splitFractions', 'validation'], message: 'validation needs a validation split' });
  }
  if ((c.kind === 'bm25') !== (c.model.source === 'bm25')) {
    ctx.addIssue({ code: 'custom', path: ['model', 'source'], message: c.kind === 'bm25' ? 'a bm25 run has model.source "bm25"' : 'an eval run needs an encoder (hub, folder or generated)' });
  }
  if (new Set(c.eval.settings).size !== c.eval.settings.length) ctx.addIssue({ code: 'custom', path: ['eval', 'settings'], message: 'lists a setting twice' });
});

export type Setting = z.infer<typeof SettingSchema>;
export type Backend = z.infer<typeof BackendSchema>;
export type BackendPreference = z.infer<typeof BackendPreferenceSchema>;
export type Pooling = z.infer<typeof PoolingSchema>;
export type DatasetRef = z.infer<typeof DatasetRefSchema>;
export type ModelSource = z.infer<typeof ModelSourceSchema>;
export type Tokenization = z.infer<typeof TokenizationSchema>;
export type TrainConfig = z.infer<typeof TrainConfigSchema>;
export type EvalConfig = z.infer<typeof EvalConfigSchema>;
/** A parsed, complete RunConfig (defaults filled in). */
export type RunConfig = z.infer<typeof RunConfigSchema>;
/** What a user may write: every field with a default may be left out. */
export type RunConfigInput = z.input<typeof RunConfigSchema>;

/**
 * Parses a RunConfig from untrusted data (a file, a link, IndexedDB). Throws
 * LabError('invalid-argument') naming the first offending path and listing
 * the others.
 */
export function parseRunConfig(value: unknown, file?: string): RunConfig {
  const r = RunConfigSchema.safeParse(value);
  if (r.success) return r.data;
  throw schemaError('RunConfig', r.error, file);
}

/** A complete config from a partial one (defaults filled, then validated). */
export function makeRunConfig(input: RunConfigInput): RunConfig {
  return parseRunConfig(input);
}

/** The JSON Schema of what a user may write (`npm run lab -- schema`). */
export function runConfigJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(RunConfigSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'Polyglot Lab RunConfig',
  } as Record<string, unknown>;
}

