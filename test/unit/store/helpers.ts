import 'fake-indexeddb/auto';
import type { Dataset, DatasetStats } from '../../../src/core/dataset/types.ts';
import { openLabDb, type LabDatabase } from '../../../src/store/db.ts';
import { sha256Hex } from '../../../src/store/hash.ts';
import type { ShardToStore } from '../../../src/store/commit.ts';

let n = 0;
/** A fresh, empty database per test (fake-indexeddb lives in process memory). */
export async function freshDb(): Promise<LabDatabase> {
  return openLabDb(`polyglot-lab-test-${process.pid}-${n++}`);
}

export async function shard(name: string, text: string, lang: string | null = 'de', format = 'lareqa'): Promise<ShardToStore> {
  const bytes = new TextEncoder().encode(text);
  return { meta: { sha256: await sha256Hex(bytes), name, format, lang, size: bytes.byteLength, addedAt: 1_700_000_000_000 }, bytes: new Blob([bytes]) };
}

/** A two-language toy dataset: 1 query per language, relevant = the parallel sentence in both. */
export function toyDataset(): { dataset: Dataset; stats: DatasetStats } {
  const dataset: Dataset = {
    name: 'toy', format: 'lareqa', languages: ['de', 'en'],
    queries: [
      { id: 'de/q1', lang: 'de', text: 'Wer?', group: 'q1' },
      { id: 'en/q1', lang: 'en', text: 'Who?', group: 'q1' },
    ],
    passages: [
      { id: 'de/0/0/0', lang: 'de', text: 'Er.', group: '0' },
      { id: 'de/0/0/1', lang: 'de', text: 'Sie.', group: '0' },
      { id: 'en/0/0/0', lang: 'en', text: 'He.', group: '0' },
    ],
    qrels: { 'de/q1': { 'de/0/0/0': 1, 'en/0/0/0': 1 }, 'en/q1': { 'de/0/0/0': 1, 'en/0/0/0': 1 } },
    pairs: [], diagnostics: [],
  };
  const stats: DatasetStats = { languages: ['de', 'en'], queries: { de: 1, en: 1 }, candidates: { de: 2, en: 1 }, relevantPerQuery: { min: 2, mean: 2, max: 2 }, errors: [] };
  return { dataset, stats };
}
