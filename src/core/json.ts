/**
 * JSON.parse for untrusted text that the schemas check next: a "__proto__"
 * key is refused by name (zod would silently drop it, and a hand-written
 * reader could be polluted by it), so a hostile file or link says what was
 * wrong instead of half-loading.
 */
import { LabError, type Location } from './errors.ts';

export function parseUntrustedJson(text: string, where: Location, expected: string): unknown {
  try {
    return JSON.parse(text, (key, value: unknown) => {
      if (key === '__proto__') throw new LabError('invalid-argument', 'has a "__proto__" key', where, expected);
      return value;
    });
  } catch (e) {
    if (e instanceof LabError) throw e;
    throw new LabError('invalid-json', `is not JSON (${(e as Error).message.split('\n')[0]})`, where, expected);
  }
}
