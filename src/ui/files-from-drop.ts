/**
 * Turns a drop (many files, or folders) into a flat list of files with their
 * folder-relative paths. Folders are walked with webkitGetAsEntry, the only
 * folder API every Chromium drop supports; entries must be taken from the
 * DataTransfer synchronously, before the first await, or the browser empties it.
 */

import type { ParquetColumns } from '../core/dataset/parse-parquet.ts';

export interface PickedFile {
  file: File;
  /** Path inside the dropped folder (`xquad-r/de.json`), or the file name. */
  path: string;
  /** The https URL the file was fetched from, when it was. */
  url?: string;
  /** Parquet column roles already chosen (a share link's RunConfig records them). */
  columns?: ParquetColumns;
  /** A language already chosen (a share link's RunConfig records it where the name does not say). */
  lang?: string;
}

/** Names that are never dataset shards (OS litter, licences, readmes). */
const IGNORED = /^(\.|__MACOSX$|Thumbs\.db$|desktop\.ini$|LICEN[SC]E|README|NOTICE)/i;

export async function filesFromDataTransfer(dt: DataTransfer): Promise<PickedFile[]> {
  const entries: FileSystemEntry[] = [];
  const loose: File[] = [];
  for (const item of Array.from(dt.items)) {
    if (item.kind !== 'file') continue;
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    if (entry) entries.push(entry);
    else {
      const f = item.getAsFile();
      if (f) loose.push(f);
    }
  }
  if (entries.length === 0 && loose.length === 0) loose.push(...Array.from(dt.files));
  const out: PickedFile[] = loose.map((file) => ({ file, path: file.name }));
  for (const e of entries) out.push(...(await walk(e)));
  return out.filter((p) => !IGNORED.test(p.file.name)).sort((a, b) => a.path.localeCompare(b.path));
}

/** Files from an `<input type=file multiple>` (or `webkitdirectory`) selection. */
export function filesFromInput(list: FileList | null): PickedFile[] {
  return Array.from(list ?? [])
    .map((file) => ({ file, path: file.webkitRelativePath || file.name }))
    .filter((p) => !IGNORED.test(p.file.name))
    .sort((a, b) => a.path.localeCompare(b.path));
}

async function walk(entry: FileSystemEntry): Promise<PickedFile[]> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    return [{ file, path: entry.fullPath.replace(/^\//, '') }];
  }
  if (!entry.isDirectory) return [];
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const children: FileSystemEntry[] = [];
  // readEntries returns at most ~100 entries per call: read until it returns none.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    children.push(...batch);
  }
  const nested = await Promise.all(children.map(walk));
  return nested.flat();
}
