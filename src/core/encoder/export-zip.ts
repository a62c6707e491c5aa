/**
 * Packs an exported Hugging Face folder (exportEncoder) into one zip for the browser's
 * download: `<stem>-polyglot-lab.zip` holding the folder `<stem>-polyglot-lab/`, so
 * unzipping gives a directory that `SentenceTransformer(path)` /
 * `AutoModel.from_pretrained(path)` open directly.
 *
 * Weights (float data barely compresses) are stored; text files (tokenizer.json,
 * vocab.txt, configs) are deflated.
 */
import { zipSync, type Zippable } from 'fflate';
import type { ExportedFolder } from './export.ts';

export const EXPORT_SUFFIX = '-polyglot-lab';

/**
 * The model's short name for file names: `org/name@revision` → `name`
 * (`name-<revision>` when the revision is not main), a folder name as is;
 * characters outside letters, digits, `.`, `_`, `-` become `_`.
 */
export function exportStem(label: string): string {
  const [id = '', revision] = label.split('@');
  const name = id.split('/').filter(Boolean).pop() ?? '';
  const withRev = revision && revision !== 'main' ? `${name}-${revision}` : name;
  return withRev.trim().replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^[_.]+|_+$/g, '') || 'model';
}

export interface ZippedExport {
  /** `<stem>-polyglot-lab.zip`. */
  fileName: string;
  /** The folder inside the zip, `<stem>-polyglot-lab/`. */
  folder: string;
  zip: Uint8Array;
}

export function zipExportedFolder(out: ExportedFolder, label: string): ZippedExport {
  const folder = `${exportStem(label)}${EXPORT_SUFFIX}`;
  const entries: Zippable = {};
  for (const [path, bytes] of out.files) {
    entries[`${folder}/${path}`] = [bytes, { level: path.endsWith('.safetensors') ? 0 : 6 }];
  }
  return { fileName: `${folder}.zip`, folder: `${folder}/`, zip: zipSync(entries) };
}
