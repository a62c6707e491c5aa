/**
 * Output files of the commands (results JSON, TREC run and qrels), shared so
 * every command writes the same way:
 * - each output is checked before any work starts: not an input, not inside
 *   a model folder being read, not named twice, and its folder writable;
 * - everything is written to `{path}.tmp-{pid}` and renamed into place, so
 *   an interrupted or failed run never leaves half a file, and the temporary
 *   file is removed on failure.
 */
import { accessSync, closeSync, constants, openSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, relative, resolve, isAbsolute } from 'node:path';
import { LabError } from '../core/errors.ts';

function cannotWrite(path: string, e: unknown): LabError {
  return new LabError('invalid-argument', `cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { file: path }, 'a writable path');
}

/**
 * Refuses, before anything runs, outputs that would overwrite an input, land
 * inside a folder that is read, collide with each other, or cannot be written.
 */
export function checkOutputs(outputs: { flag: string; path: string }[], inputs: { files?: string[]; folders?: string[] }): void {
  const seen = new Map<string, string>();
  const inputFiles = new Set((inputs.files ?? []).map((f) => resolve(f)));
  for (const { flag, path } of outputs) {
    const abs = resolve(path);
    const other = seen.get(abs);
    if (other) throw new LabError('invalid-argument', `${flag} and ${other} name the same file`, { file: path }, 'a different file for each output');
    seen.set(abs, flag);
    if (inputFiles.has(abs)) throw new LabError('invalid-argument', `${flag} would overwrite an input file`, { file: path }, 'an output path that is not one of the inputs');
    for (const folder of inputs.folders ?? []) {
      const rel = relative(resolve(folder), abs);
      if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) {
        throw new LabError('invalid-argument', `${flag} lies inside the folder ${folder}, which is read`, { file: path }, 'an output path outside the input folders');
      }
    }
    try {
      if (statSync(abs).isDirectory()) throw new LabError('invalid-argument', `${flag} is a folder`, { file: path }, 'a file path');
    } catch (e) {
      if (e instanceof LabError) throw e;
      // Does not exist yet: fine, its folder is checked below.
    }
    try {
      accessSync(dirname(abs), constants.W_OK);
    } catch (e) {
      throw cannotWrite(path, e);
    }
  }
}

/** Streams into `{path}.tmp-{pid}` and renames over `path` on commit; abort removes the temporary file. */
export class AtomicWriter {
  private readonly tmp: string;
  private fd: number;
  private pending = '';
  private closed = false;
  constructor(private readonly path: string) {
    this.tmp = `${path}.tmp-${process.pid}`;
    try {
      this.fd = openSync(this.tmp, 'w');
    } catch (e) {
      throw cannotWrite(path, e);
    }
    ATOMIC_TEMPS.add(this.tmp);
  }
  write(s: string): void {
    this.pending += s;
    if (this.pending.length > 1 << 20) this.flush();
  }
  private flush(): void {
    try {
      writeSync(this.fd, this.pending);
    } catch (e) {
      this.abort();
      throw cannotWrite(this.path, e);
    }
    this.pending = '';
  }
  commit(): void {
    this.flush();
    closeSync(this.fd);
    this.closed = true;
    try {
      renameSync(this.tmp, this.path);
    } catch (e) {
      this.abort();
      throw cannotWrite(this.path, e);
    }
    ATOMIC_TEMPS.delete(this.tmp);
  }
  abort(): void {
    if (!this.closed) {
      try { closeSync(this.fd); } catch { /* already closed */ }
      this.closed = true;
    }
    rmSync(this.tmp, { force: true });
    ATOMIC_TEMPS.delete(this.tmp);
  }
}

/** Writes a whole file atomically (temporary file + rename). */
export function writeAtomic(path: string, text: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  ATOMIC_TEMPS.add(tmp);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw cannotWrite(path, e);
  } finally {
    ATOMIC_TEMPS.delete(tmp);
  }
}

/**
 * Aborted when the process is interrupted (src/cli/lab.ts). Long jobs take it as their signal: a job with a
 * signal yields to the event loop between blocks, which is what lets the SIGINT/SIGTERM handler run at all
 * during a long synchronous evaluation.
 */
export const interrupted = new AbortController();

/** Temporary files being written now: removed if the process is interrupted (src/cli/lab.ts). */
export const ATOMIC_TEMPS = new Set<string>();

export function removeTemporaryFiles(): void {
  for (const t of ATOMIC_TEMPS) rmSync(t, { force: true });
  ATOMIC_TEMPS.clear();
}
