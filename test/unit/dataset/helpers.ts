import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { isLabError, type LabError, type LabErrorCode } from '../../../src/core/errors.ts';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/datasets/', import.meta.url));
/** The real XQuAD-R files, read in place (never copied into the repo). */
export const XQUAD_R = fileURLToPath(new URL('../../../../shared/data/xquad-r/', import.meta.url));
export const XQUAD_LANGS = ['ar', 'de', 'el', 'en', 'es', 'hi', 'ru', 'th', 'tr', 'vi', 'zh'] as const;

export function fixture(rel: string): string {
  return FIXTURES + rel;
}

export function fixtureBytes(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(fixture(rel)));
}

export interface Where {
  file?: string;
  line?: number;
  path?: string;
}

/** Awaits a rejection and checks it is a LabError with this code, whose message names the file and place. */
export async function expectLabError(p: Promise<unknown> | (() => unknown), code: LabErrorCode, where: Where = {}): Promise<LabError> {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err, `expected LabError ${code}`).toBeDefined();
  expect(isLabError(err), `not a LabError: ${String(err)}`).toBe(true);
  const le = err as LabError;
  expect(le.code, le.message).toBe(code);
  if (where.file !== undefined) {
    expect(le.location.file).toBe(where.file);
    expect(le.message).toContain(where.file);
  }
  if (where.line !== undefined) {
    expect(le.location.line).toBe(where.line);
    expect(le.message).toContain(`line ${where.line}`);
  }
  if (where.path !== undefined) {
    expect(le.location.path).toBe(where.path);
    expect(le.message).toContain(where.path);
  }
  return le;
}
