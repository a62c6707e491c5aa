/**
 * One way to report what a zod schema rejected in untrusted data (a config,
 * a results file, a share link): a LabError naming the first offending path
 * and listing a few others, so the user sees which field and what was expected.
 */
import type { z } from 'zod';
import { LabError } from './errors.ts';

/** `a.b[2].c` from zod's path. */
export function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}

export function schemaError(what: string, error: z.ZodError, file?: string): LabError {
  const issues = error.issues;
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more: ${issues.slice(1, 4).map((i) => `${pathText(i.path) || '(root)'}: ${i.message}`).join('; ')})` : '';
  return new LabError('invalid-argument', `${what}: ${first.message}${more}`, { ...(file ? { file } : {}), path: pathText(first.path) || '(root)' });
}
