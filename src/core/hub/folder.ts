/**
 * A model folder the user dropped or picked: files with their relative paths
 * (`my-model/config.json`, `my-model/1_Pooling/config.json`, …). The model's
 * root is the shallowest folder holding config.json, so dropping the folder
 * itself, its parent, or just its files all work. Bytes are read lazily, only
 * for the files the loader asks for.
 */
import { LabError } from '../errors.ts';
import { normalizePath, type FileProvider } from './model-files.ts';

export interface FolderEntry {
  /** Path relative to what was dropped (webkitRelativePath, or the name for loose files). */
  path: string;
  blob: Blob;
}

export interface ModelFolder {
  /** Name to show: the model folder's own name, or "dropped files". */
  name: string;
  provider: FileProvider;
  /** Paths relative to the model root. */
  files: string[];
  totalBytes: number;
}

export function modelFolder(entries: readonly FolderEntry[]): ModelFolder {
  const norm = entries.map((e) => ({ path: normalizePath(e.path), blob: e.blob }));
  const configs = norm.filter((e) => e.path === 'config.json' || e.path.endsWith('/config.json'))
    .map((e) => e.path.slice(0, -'config.json'.length).replace(/\/$/, ''))
    // A sentence-transformers module folder (1_Pooling/config.json) is never the root.
    .filter((dir) => !/(^|\/)\d+_[^/]+$/.test(dir))
    .sort((a, b) => a.split('/').length - b.split('/').length || a.length - b.length);
  const root = configs[0];
  if (root === undefined) {
    throw new LabError('model-config', `the dropped files (${entries.length}) contain no config.json`, { file: 'config.json' },
      'a model folder with config.json, model.safetensors and tokenizer.json');
  }
  const prefix = root === '' ? '' : `${root}/`;
  const byPath = new Map<string, Blob>();
  for (const e of norm) if (e.path.startsWith(prefix)) byPath.set(e.path.slice(prefix.length), e.blob);
  const totalBytes = [...byPath.values()].reduce((s, b) => s + b.size, 0);
  return {
    name: root === '' ? 'dropped files' : root.split('/').pop()!,
    files: [...byPath.keys()].sort(),
    totalBytes,
    provider: async (path) => {
      const b = byPath.get(normalizePath(path));
      return b ? new Uint8Array(await b.arrayBuffer()) : undefined;
    },
  };
}
