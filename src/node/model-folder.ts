/** Node only (CLI, tests, bench): a FileProvider over a model folder on disk. */
import { readFile } from 'node:fs/promises';
import { join, normalize, sep } from 'node:path';
import { LabError } from '../core/errors.ts';
import type { FileProvider } from '../core/hub/model-files.ts';

export function folderFileProvider(dir: string): FileProvider {
  const root = normalize(dir);
  return async (path) => {
    const full = normalize(join(root, path));
    if (full !== root && !full.startsWith(root.endsWith(sep) ? root : root + sep)) {
      throw new LabError('invalid-argument', `model file path "${path}" leaves the model folder`);
    }
    try {
      const b = await readFile(full);
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EISDIR') return undefined;
      throw new LabError('storage', `cannot read ${full}: ${(e as Error).message}`, { file: path });
    }
  };
}
