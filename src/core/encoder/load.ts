/**
 * Loads a Hugging Face model folder (hub download, cache, or dropped folder — the
 * FileProvider hides which) into a trainable tfjs Encoder.
 */
import { LabError } from '../errors.ts';
import type { Pooling } from '../run-config.ts';
import { parseEncoderConfig, type EncoderConfig } from './config.ts';
import { Encoder, type FreezeOptions } from './model.ts';
import { parseSafetensors, type SafeTensorInfo, type SafetensorsFile } from './safetensors.ts';
import { readHeadConfig, readJsonFile, type FileProvider } from './st-layout.ts';
import { mapWeights } from './weights.ts';

export interface LoadOptions extends FreezeOptions {
  /** Overrides the model's sentence-transformers pooling. */
  pooling?: Pooling;
}

/** The files a model folder needs, so download code can fetch them up front. */
export const MODEL_FILES = {
  required: ['config.json'],
  weights: ['model.safetensors', 'model.safetensors.index.json'],
  optional: ['modules.json', 'config_sentence_transformers.json', 'sentence_bert_config.json', '1_Pooling/config.json'],
} as const;

export async function readEncoderConfig(files: FileProvider): Promise<EncoderConfig> {
  const json = await readJsonFile(files, 'config.json');
  if (json === undefined) throw new LabError('model-config', 'the model folder has no config.json', { file: 'config.json' });
  return parseEncoderConfig(json, 'config.json');
}

/**
 * Reads model.safetensors, or every shard listed in model.safetensors.index.json,
 * as one view. Each shard's bytes are kept (views are decoded lazily, tensor by tensor).
 */
export async function readWeights(files: FileProvider): Promise<SafetensorsFile> {
  const single = await files('model.safetensors');
  if (single) return parseSafetensors(single, 'model.safetensors');
  const index = await readJsonFile(files, 'model.safetensors.index.json', 'model-weights');
  if (index !== undefined) {
    const map = (index as { weight_map?: unknown }).weight_map;
    if (typeof map !== 'object' || map === null) {
      throw new LabError('model-weights', 'no "weight_map" object', { file: 'model.safetensors.index.json', path: 'weight_map' });
    }
    const shards = new Map<string, SafetensorsFile>();
    for (const shard of new Set(Object.values(map as Record<string, string>))) {
      const bytes = await files(shard);
      if (!bytes) throw new LabError('model-weights', `shard "${shard}" listed in the index is missing`, { file: shard });
      shards.set(shard, parseSafetensors(bytes, shard));
    }
    const tensors = new Map<string, SafeTensorInfo>();
    const owner = new Map<string, SafetensorsFile>();
    for (const s of shards.values()) {
      for (const [n, info] of s.tensors) {
        tensors.set(n, info);
        owner.set(n, s);
      }
    }
    return {
      file: 'model.safetensors.index.json', metadata: {}, tensors,
      read: (n) => {
        const s = owner.get(n);
        if (!s) throw new LabError('model-weights', `no tensor named "${n}"`, { file: 'model.safetensors.index.json' });
        return s.read(n);
      },
    };
  }
  const bin = await files('pytorch_model.bin');
  throw new LabError('model-weights',
    bin ? 'the model has only pytorch_model.bin (a Python pickle), which cannot be read in the browser; use a revision with model.safetensors'
      : 'the model folder has no model.safetensors', { file: 'model.safetensors' });
}

export async function loadEncoder(files: FileProvider, opts: LoadOptions = {}): Promise<Encoder> {
  const config = await readEncoderConfig(files);
  const head = await readHeadConfig(files);
  const st = await readWeights(files);
  const mapping = mapWeights(config, st);
  const notes = [...head.notes];
  if (mapping.ignored.length) {
    notes.push(`ignored ${mapping.ignored.length} tensor(s) of heads the encoder does not use: ${mapping.ignored.slice(0, 8).join(', ')}${mapping.ignored.length > 8 ? ', …' : ''}`);
  }
  if (head.dense.length && head.dense[0]!.inFeatures !== config.hidden) {
    throw new LabError('model-config', `Dense in_features ${head.dense[0]!.inFeatures} does not match hidden size ${config.hidden}`,
      { file: `${head.dense[0]!.path}/config.json`, path: 'in_features' });
  }
  const enc = new Encoder(config, head, (spec) => st.read(mapping.sources.get(spec.name)!).data, opts);
  enc.notes.push(...notes);
  return enc;
}
