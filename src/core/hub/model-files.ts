/**
 * Which files make up a model in Hugging Face / sentence-transformers layout,
 * and the one abstraction the encoder loads from: a file provider.
 *
 * The same plan serves a hub download, the model cache and a dropped folder,
 * so "what does a model need" is decided in exactly one place.
 */
import { LabError } from '../errors.ts';

/** Returns a file's bytes by its path inside the model folder, or undefined when it does not exist. */
export type FileProvider = (path: string) => Promise<Uint8Array | undefined>;

// Architectures the encoder implements (config.json `model_type`): the encoder's list, so the hub never disagrees with it.
import { SUPPORTED_MODEL_TYPES, type ModelType } from '../encoder/config.ts';
export { SUPPORTED_MODEL_TYPES };
export type SupportedModelType = ModelType;

/** Always needed. */
export const REQUIRED_FILES = ['config.json', 'model.safetensors', 'tokenizer.json'] as const;
/** Read when present (they refine tokenizer and pooling behaviour). */
export const OPTIONAL_METADATA_FILES = [
  'tokenizer_config.json', 'modules.json', 'sentence_bert_config.json', 'config_sentence_transformers.json', 'special_tokens_map.json',
] as const;

export interface StModule {
  idx: number;
  name: string;
  /** Folder inside the repo ('' for the transformer itself). */
  path: string;
  /** e.g. `sentence_transformers.models.Pooling`. */
  type: string;
}

const decoder = new TextDecoder();

/** Parses a JSON file, throwing a LabError that names the file. */
export function parseJsonFile(bytes: Uint8Array, file: string, code: 'model-config' | 'model-weights' | 'tokenizer' = 'model-config'): unknown {
  try {
    return JSON.parse(decoder.decode(bytes)) as unknown;
  } catch (e) {
    throw new LabError(code, `is not valid JSON: ${jsonErrorWithoutContent(e)}`, { file }, 'a JSON document');
  }
}

/**
 * A JSON.parse error without the file's text: V8 quotes the offending input
 * ("Unexpected token 'x', \"…\" is not valid JSON"), and no message may
 * repeat a file's contents (a secret, or megabytes of one line).
 */
export function jsonErrorWithoutContent(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  const where = /\b(at position \d+(?: \(line \d+ column \d+\))?)/.exec(m)?.[1];
  const head = m.split('"')[0]!.replace(/[,\s]+$/, '').slice(0, 120);
  return where && !head.includes(where) ? `${head} ${where}` : head;
}

/** Checks config.json's `model_type` before any large download starts. */
export function checkModelType(config: unknown, modelName: string): SupportedModelType {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new LabError('model-config', `config.json of ${modelName} is not a JSON object`, { file: 'config.json' }, 'an object');
  }
  const t = (config as { model_type?: unknown }).model_type;
  if (typeof t !== 'string') {
    throw new LabError('model-config', `config.json of ${modelName} has no model_type`, { file: 'config.json', path: 'model_type' },
      `one of ${SUPPORTED_MODEL_TYPES.join(', ')}`);
  }
  if (!(SUPPORTED_MODEL_TYPES as readonly string[]).includes(t)) {
    throw new LabError('model-unsupported', `${modelName} is a "${t}" model, which this lab cannot run`,
      { file: 'config.json', path: 'model_type' }, `an encoder of type ${SUPPORTED_MODEL_TYPES.join(', ')}`);
  }
  return t as SupportedModelType;
}

/** Parses modules.json (sentence-transformers); a malformed file is an error, not a silent default. */
export function parseModules(json: unknown): StModule[] {
  if (!Array.isArray(json)) throw new LabError('model-config', 'is not a JSON array', { file: 'modules.json' }, 'an array of modules');
  return json.map((m: unknown, i) => {
    const o = m as Partial<StModule> | null;
    if (typeof o !== 'object' || o === null || typeof o.type !== 'string' || typeof o.path !== 'string') {
      throw new LabError('model-config', 'module entry lacks "type" or "path"', { file: 'modules.json', path: `[${i}]` },
        '{"idx", "name", "path", "type"}');
    }
    return { idx: typeof o.idx === 'number' ? o.idx : i, name: typeof o.name === 'string' ? o.name : String(i), path: o.path, type: o.type };
  });
}

/** Files the sentence-transformers modules need (Pooling config, Dense config + weights). */
export function moduleFiles(modules: readonly StModule[]): { required: string[]; optional: string[] } {
  const required: string[] = [];
  const optional: string[] = [];
  for (const m of modules) {
    const kind = m.type.split('.').pop() ?? '';
    const dir = m.path.replace(/\/+$/, '');
    if (dir === '') continue;
    if (kind === 'Pooling') required.push(`${dir}/config.json`);
    else if (kind === 'Dense') required.push(`${dir}/config.json`, `${dir}/model.safetensors`);
    // Normalize carries no files; other module kinds are the encoder's business to accept or refuse.
    else if (kind !== 'Normalize') optional.push(`${dir}/config.json`);
  }
  return { required, optional };
}

/** A file provider over bytes already in memory (downloads, cache hits, dropped folders). */
export function memoryProvider(files: ReadonlyMap<string, Uint8Array>): FileProvider {
  return (path) => Promise.resolve(files.get(normalizePath(path)));
}

/** `./a//b/` → `a/b`: providers and plans compare paths in one form. */
export function normalizePath(path: string): string {
  return path.replace(/\\/g, '/').split('/').filter((s) => s !== '' && s !== '.').join('/');
}
