/** Small helpers for validating parsed JSON with exact paths in the messages. */
import { checkId } from '../ids.ts';
import { LabError, type Location } from '../errors.ts';
import { locateJsonError } from './json-locate.ts';

export type JsonObject = Record<string, unknown>;

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return 'a string';
  return `a ${typeof v}`;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

function field(o: JsonObject, key: string, where: Location, expected: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(o, key) || o[key] === undefined) {
    throw new LabError('missing-field', `missing field "${key}"`, { ...where, path: join(where.path ?? '', key) }, expected);
  }
  return o[key];
}

function wrong(where: Location, key: string | number, v: unknown, expected: string): LabError {
  const path = join(where.path ?? '', key);
  return new LabError('wrong-type', `"${path}" is ${describe(v)}`, { ...where, path }, expected);
}

export function getObject(o: JsonObject, key: string, where: Location): JsonObject {
  const v = field(o, key, where, 'an object');
  if (!isObject(v)) throw wrong(where, key, v, 'an object');
  return v;
}

export function getArray(o: JsonObject, key: string, where: Location): unknown[] {
  const v = field(o, key, where, 'an array');
  if (!Array.isArray(v)) throw wrong(where, key, v, 'an array');
  return v;
}

export function getString(o: JsonObject, key: string, where: Location): string {
  const v = field(o, key, where, 'a string');
  if (typeof v !== 'string') throw wrong(where, key, v, 'a string');
  return v;
}

/** Ids are strings in every format, but some exporters write them as numbers: accept both. */
export function getId(o: JsonObject, key: string, where: Location): string {
  const v = field(o, key, where, 'a string or number id');
  const at = { ...where, path: where.path ? `${where.path}.${key}` : key };
  if (typeof v === 'string' && v.length > 0) return checkId(v, key, at);
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw wrong(where, key, v, 'a non-empty string or number id');
}

export function getOptionalString(o: JsonObject, key: string, where: Location): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(o, key) || o[key] === undefined || o[key] === null) return undefined;
  const v = o[key];
  if (typeof v !== 'string') throw wrong(where, key, v, 'a string');
  return v;
}

export function getNonNegativeInt(o: JsonObject, key: string, where: Location): number {
  const v = field(o, key, where, 'a non-negative integer');
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw wrong(where, key, v, 'a non-negative integer');
  return v;
}

export function elementObject(arr: unknown[], i: number, where: Location): JsonObject {
  const v = arr[i];
  if (!isObject(v)) throw wrong(where, i, v, 'an object');
  return v;
}

export function elementString(arr: unknown[], i: number, where: Location): string {
  const v = arr[i];
  if (typeof v !== 'string') throw wrong(where, i, v, 'a string');
  return v;
}

export { dict } from '../ids.ts';

/** JSON.parse with the error turned into 'invalid-json' at a line and column. */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const spot = locateJsonError(text);
    if (spot) {
      throw new LabError('invalid-json', `invalid JSON at column ${spot.column}: ${spot.reason}`, { file, line: spot.line });
    }
    // The checker accepted what JSON.parse refused (e.g. a lone surrogate engine quirk): still say so.
    const msg = e instanceof Error ? e.message : String(e);
    throw new LabError('invalid-json', `invalid JSON: ${msg.slice(0, 200)}`, { file }, 'a JSON document');
  }
}
