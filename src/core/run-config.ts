/**
 * RunConfig: one value that describes a run end to end (data, model,
 * evaluation, and — from the training issue on — training). A share link is
 * this object serialized; results objects carry the config that made them.
 *
 * Add fields here rather than inventing parallel option bags elsewhere.
 */
export type Backend = 'webgpu' | 'wasm' | 'cpu';
export type BackendPreference = 'auto' | Backend;
export type Setting = 'mono' | 'cross' | 'multi';
export type Pooling = 'mean' | 'cls';

/** A dataset as a list of stored shards (content hashes, see src/store). */
export interface DatasetRef {
  name: string;
  shards: { name: string; sha256: string }[];
}

export interface ModelRef {
  /** 'hub': `{host}/{id}/resolve/{revision}/{file}`; 'folder': files dropped by the user. */
  source: 'hub' | 'folder' | 'none';
  id: string;
  revision: string;
  host?: string;
  /** Overrides the model's sentence-transformers pooling when set. */
  pooling?: Pooling;
  queryPrefix: string;
  passagePrefix: string;
  maxLength: number;
}

export interface EvalConfig {
  settings: Setting[];
  /** Run-file depth; metrics always use the full ranking. */
  depth: number | 'all';
}

export interface RunConfig {
  version: 1;
  datasets: DatasetRef[];
  model: ModelRef;
  backend: BackendPreference;
  eval: EvalConfig;
  seed: number;
}

export const DEFAULT_RUN_CONFIG: RunConfig = {
  version: 1,
  datasets: [],
  model: { source: 'none', id: '', revision: 'main', queryPrefix: 'query: ', passagePrefix: 'passage: ', maxLength: 128 },
  backend: 'auto',
  eval: { settings: ['mono', 'cross', 'multi'], depth: 1000 },
  seed: 42,
};
