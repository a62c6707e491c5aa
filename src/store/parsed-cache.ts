/**
 * The parsed-dataset cache in IndexedDB, split so no record outgrows what a browser stores in one value.
 * Chromium refuses a serialized value over about 133 MB ("The serialized keys and/or value are too large"):
 * a 200 MB MIRACL shard's parsed passages alone are more. A dataset whose texts are small is one record, as
 * before; a larger one keeps its passages, queries and pairs in part records next to it (keys
 * `${datasetId}\u0000${n}`), written in the import's transaction and read back in order.
 */
import type { Dataset } from '../core/dataset/types.ts';
import { LabError } from '../core/errors.ts';
import type { ParsedPart, ParsedRecord } from './schema.ts';

/** Characters of text per part: V8 serializes a two-byte string at 2 bytes a character, so ≤ about 64 MB. */
export const PART_CHARS = 32 * 1024 * 1024;

type Field = ParsedPart['field'];
const FIELDS: readonly Field[] = ['passages', 'queries', 'pairs'];

/** What an item weighs, in characters of its strings (ids, texts, titles …). */
function chars(item: unknown): number {
  let n = 16;
  for (const v of Object.values(item as Record<string, unknown>)) {
    if (typeof v === 'string') n += v.length;
    else if (Array.isArray(v)) for (const x of v) n += typeof x === 'string' ? x.length : 8;
    else n += 8;
  }
  return n;
}

const partKey = (datasetId: string, n: number): string => `${datasetId}\u0000${String(n).padStart(6, '0')}`;

/** The records to put: one when the texts fit, else the head and its parts. */
export function parsedRecords(datasetId: string, dataset: Dataset, partChars = PART_CHARS): ParsedRecord[] {
  const total = FIELDS.reduce((s, f) => s + (dataset[f] as unknown[]).reduce((t: number, x) => t + chars(x), 0), 0);
  if (total <= partChars) return [{ datasetId, dataset }];
  const parts: ParsedRecord[] = [];
  for (const field of FIELDS) {
    let items: unknown[] = [];
    let size = 0;
    const flush = (): void => {
      if (items.length === 0) return;
      parts.push({ datasetId: partKey(datasetId, parts.length), part: { field, items } });
      items = [];
      size = 0;
    };
    for (const x of dataset[field] as unknown[]) {
      const c = chars(x);
      if (size + c > partChars) flush();
      items.push(x);
      size += c;
    }
    flush();
  }
  return [{ datasetId, dataset: { ...dataset, passages: [], queries: [], pairs: [] }, parts: parts.length }, ...parts];
}

/** The key range of a dataset's part records (for reading and deleting them). */
export function partRange(datasetId: string): IDBKeyRange {
  return IDBKeyRange.bound(`${datasetId}\u0000`, `${datasetId}\u0001`, false, true);
}

/** The dataset from its head record and, when split, its parts in order. */
export function datasetFromRecords(head: ParsedRecord, parts: readonly ParsedRecord[]): Dataset {
  if (!head.dataset) throw new LabError('storage', `the cached dataset ${head.datasetId.slice(0, 12)}… is damaged (a part where its head should be)`);
  if (!head.parts) return head.dataset;
  if (parts.length !== head.parts) {
    throw new LabError('storage', `the cached dataset ${head.datasetId.slice(0, 12)}… has ${parts.length} of its ${head.parts} parts (storage cleared in part?)`, {}, 'remove the dataset and import it again');
  }
  const out: Dataset = { ...head.dataset, passages: [], queries: [], pairs: [] };
  for (const p of parts) {
    if (!p.part) throw new LabError('storage', `the cached dataset ${head.datasetId.slice(0, 12)}… is damaged`);
    const into = out[p.part.field] as unknown[];
    for (const x of p.part.items) into.push(x);
  }
  return out;
}
