/**
 * Node only (CLI, tests, bench): a FileProvider over a model folder on disk.
 * The folder is untrusted input: only regular files inside it are read. A
 * symlink that leaves the folder, a FIFO (which would block the read
 * forever), a device (/dev/zero grows without end) or a file larger than the
 * model byte limit is refused before a byte is read.
 */
import { open, realpath, stat } from 'node:fs/promises';
import { join, normalize, relative, isAbsolute } from 'node:path';
import { LabError } from '../core/errors.ts';
import { formatBytes } from '../core/format.ts';
import type { FileProvider } from '../core/hub/model-files.ts';

/** Largest single model file read (a 7B-parameter float32 checkpoint is 28 GB; no encoder the lab runs is near). */
export const MAX_MODEL_FILE_BYTES = 16 * 1024 ** 3;

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

export function folderFileProvider(dir: string, maxFileBytes = MAX_MODEL_FILE_BYTES): FileProvider {
  const root = normalize(dir);
  let realRoot: Promise<string> | undefined;
  return async (path) => {
    const full = normalize(join(root, path));
    if (!inside(root, full)) throw new LabError('invalid-argument', `model file path "${path}" leaves the model folder`, { file: path });
    let real: string;
    try {
      real = await realpath(full);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw new LabError('storage', `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: path });
    }
    realRoot ??= realpath(root);
    if (!inside(await realRoot, real)) {
      throw new LabError('model-weights', 'is a link to a file outside the model folder', { file: path }, 'the model\'s files inside its folder');
    }
    const st = await stat(real);
    if (st.isDirectory()) return undefined;
    if (!st.isFile()) {
      throw new LabError('model-weights', `is not a regular file (${st.isFIFO() ? 'a named pipe' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : 'a socket or other special file'})`,
        { file: path }, 'a regular file');
    }
    if (st.size > maxFileBytes) {
      throw new LabError('model-too-large', `is ${formatBytes(st.size)}, more than the ${formatBytes(maxFileBytes)} a model file may have`, { file: path });
    }
    // Read exactly the size stat reported through one handle: a file that grows meanwhile cannot make us read more.
    const fh = await open(real, 'r');
    try {
      const buf = new Uint8Array(st.size);
      let at = 0;
      while (at < buf.length) {
        const { bytesRead } = await fh.read(buf, at, buf.length - at, at);
        if (bytesRead === 0) break;
        at += bytesRead;
      }
      return at === buf.length ? buf : buf.subarray(0, at);
    } catch (e) {
      throw new LabError('storage', `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: path });
    } finally {
      await fh.close();
    }
  };
}
