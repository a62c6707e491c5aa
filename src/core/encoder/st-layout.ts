/**
 * sentence-transformers folder layout: modules.json lists the pipeline
 * (Transformer → Pooling → [Dense] → [Normalize]); each module's folder holds its
 * config. Without modules.json we fall back to what Transformers users get:
 * mean pooling, no Dense, no normalization.
 */
import { LabError } from '../errors.ts';
import { parseJsonFile, type FileProvider } from '../hub/model-files.ts';
import type { Pooling } from '../run-config.ts';
import { parseSafetensors } from './safetensors.ts';

export type { FileProvider };

export type DenseActivation = 'tanh' | 'identity' | 'relu' | 'gelu' | 'sigmoid';

export interface DenseHead {
  /** Folder of the module, e.g. `2_Dense`. */
  path: string;
  inFeatures: number;
  outFeatures: number;
  activation: DenseActivation;
  /** PyTorch orientation [out, in]. */
  weight: Float32Array;
  bias: Float32Array | undefined;
  /** The parsed config.json, written back on export. */
  raw: Record<string, unknown>;
}

export interface HeadConfig {
  pooling: Pooling;
  /** Folder of the Pooling module (written back on export), default `1_Pooling`. */
  poolingPath: string;
  dense: DenseHead[];
  normalize: boolean;
  /** Prompts from config_sentence_transformers.json (e.g. `query: `), when the model declares them. */
  prompts: Record<string, string>;
  /** sentence_bert_config.json max_seq_length, when present. */
  maxSeqLength: number | undefined;
  /** Whether the folder has modules.json (export then writes a full sentence-transformers layout). */
  sentenceTransformers: boolean;
  /** Human-readable decisions, e.g. "no modules.json: mean pooling". */
  notes: string[];
}

const DENSE_ACTIVATIONS: Record<string, DenseActivation> = {
  'torch.nn.modules.activation.Tanh': 'tanh',
  'torch.nn.modules.linear.Identity': 'identity',
  'torch.nn.modules.activation.ReLU': 'relu',
  'torch.nn.modules.activation.GELU': 'gelu',
  'torch.nn.modules.activation.Sigmoid': 'sigmoid',
};
export const DENSE_ACTIVATION_CLASS: Record<DenseActivation, string> = Object.fromEntries(
  Object.entries(DENSE_ACTIVATIONS).map(([k, v]) => [v, k]),
) as Record<DenseActivation, string>;

export async function readJsonFile(files: FileProvider, path: string, code: 'model-config' | 'model-weights' = 'model-config'): Promise<unknown | undefined> {
  const bytes = await files(path);
  if (!bytes) return undefined;
  return parseJsonFile(bytes, path, code);
}

function obj(v: unknown, file: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new LabError('model-config', 'not a JSON object', { file });
  return v as Record<string, unknown>;
}

export async function readHeadConfig(files: FileProvider): Promise<HeadConfig> {
  const head: HeadConfig = {
    pooling: 'mean', poolingPath: '1_Pooling', dense: [], normalize: false, prompts: {}, maxSeqLength: undefined,
    sentenceTransformers: false, notes: [],
  };
  const stCfg = await readJsonFile(files, 'config_sentence_transformers.json');
  if (stCfg !== undefined) {
    const prompts = obj(stCfg, 'config_sentence_transformers.json').prompts;
    if (prompts && typeof prompts === 'object') {
      for (const [k, v] of Object.entries(prompts)) if (typeof v === 'string') head.prompts[k] = v;
    }
  }
  const sb = await readJsonFile(files, 'sentence_bert_config.json');
  if (sb !== undefined) {
    const m = obj(sb, 'sentence_bert_config.json').max_seq_length;
    if (typeof m === 'number' && Number.isInteger(m) && m > 0) head.maxSeqLength = m;
  }
  const modules = await readJsonFile(files, 'modules.json');
  if (modules === undefined) {
    head.notes.push('no modules.json: mean pooling, no normalization (the Transformers default)');
    return head;
  }
  head.sentenceTransformers = true;
  if (!Array.isArray(modules)) throw new LabError('model-config', 'modules.json is not a JSON array', { file: 'modules.json' });
  let sawPooling = false;
  for (const [i, m] of modules.entries()) {
    const where = { file: 'modules.json', path: `[${i}]` };
    const e = obj(m, 'modules.json');
    const type = e.type;
    const path = typeof e.path === 'string' ? e.path : '';
    if (typeof type !== 'string') throw new LabError('model-config', 'module has no "type"', where);
    const cls = type.split('.').pop();
    if (cls === 'Transformer') continue;
    if (cls === 'Pooling') {
      const file = `${path}/config.json`;
      const pc = await readJsonFile(files, file);
      if (pc === undefined) throw new LabError('model-config', 'Pooling module config is missing', { file });
      const p = obj(pc, file);
      const modes = ['cls_token', 'mean_tokens', 'max_tokens', 'mean_sqrt_len_tokens', 'weightedmean_tokens', 'lasttoken']
        .filter((k) => p[`pooling_mode_${k}`] === true);
      if (modes.length !== 1 || (modes[0] !== 'cls_token' && modes[0] !== 'mean_tokens')) {
        throw new LabError('model-unsupported', `pooling mode(s) [${modes.join(', ')}] are not supported`, { file },
          'exactly one of pooling_mode_mean_tokens, pooling_mode_cls_token');
      }
      head.pooling = modes[0] === 'cls_token' ? 'cls' : 'mean';
      head.poolingPath = path;
      sawPooling = true;
    } else if (cls === 'Dense') {
      head.dense.push(await readDense(files, path));
    } else if (cls === 'Normalize') {
      head.normalize = true;
    } else {
      throw new LabError('model-unsupported', `sentence-transformers module "${type}" is not supported`, where,
        'Transformer, Pooling, Dense, Normalize');
    }
  }
  if (!sawPooling) head.notes.push('modules.json has no Pooling module: mean pooling');
  return head;
}

async function readDense(files: FileProvider, path: string): Promise<DenseHead> {
  const cfgFile = `${path}/config.json`;
  const c = await readJsonFile(files, cfgFile);
  if (c === undefined) throw new LabError('model-config', 'Dense module config is missing', { file: cfgFile });
  const raw = obj(c, cfgFile);
  const int = (k: string): number => {
    const v = raw[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new LabError('model-config', `field "${k}" is ${JSON.stringify(v)}`, { file: cfgFile, path: k }, 'a positive integer');
    }
    return v;
  };
  const inFeatures = int('in_features');
  const outFeatures = int('out_features');
  const actName = raw.activation_function ?? 'torch.nn.modules.activation.Tanh';
  const activation = typeof actName === 'string' ? DENSE_ACTIVATIONS[actName] : undefined;
  if (!activation) {
    throw new LabError('model-unsupported', `Dense activation ${JSON.stringify(actName)} is not supported`,
      { file: cfgFile, path: 'activation_function' }, Object.keys(DENSE_ACTIVATIONS).join(', '));
  }
  const wFile = `${path}/model.safetensors`;
  const bytes = await files(wFile);
  if (!bytes) {
    const bin = await files(`${path}/pytorch_model.bin`);
    throw new LabError('model-weights',
      bin ? 'the Dense weights are only in pytorch_model.bin (a Python pickle), which cannot be read in the browser; convert them to model.safetensors'
        : 'the Dense module has no model.safetensors', { file: wFile });
  }
  const st = parseSafetensors(bytes, wFile);
  const w = st.tensors.get('linear.weight');
  if (!w) throw new LabError('model-weights', `no tensor "linear.weight"; found: ${[...st.tensors.keys()].join(', ')}`, { file: wFile });
  if (w.shape[0] !== outFeatures || w.shape[1] !== inFeatures) {
    throw new LabError('model-weights', `"linear.weight" has shape [${w.shape.join(', ')}]`, { file: wFile }, `[${outFeatures}, ${inFeatures}]`);
  }
  const hasBias = raw.bias !== false;
  let bias: Float32Array | undefined;
  if (hasBias) {
    const b = st.tensors.get('linear.bias');
    if (!b || b.shape.length !== 1 || b.shape[0] !== outFeatures) {
      throw new LabError('model-weights', `"linear.bias" is missing or not of shape [${outFeatures}]`, { file: wFile });
    }
    bias = Float32Array.from(st.read('linear.bias').data);
  }
  return { path, inFeatures, outFeatures, activation, weight: Float32Array.from(st.read('linear.weight').data), bias, raw };
}
