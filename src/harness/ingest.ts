/**
 * harness.html?suite=ingest[&mb=N]: the half of "parse and store" Node cannot measure, in the browser's real
 * IndexedDB. A synthetic MIRACL corpus of N MB becomes a File; parseShard alone on it is the reference (same
 * page, same File), then importShards stores it in a fresh database (parse, then one transaction holding the
 * shard's bytes, the dataset and its parsed cache). `npm run bench -- store` reports the ratio.
 */
import { parseShard } from '../core/dataset/parse-shard.ts';
import { corpusLines } from '../core/dataset/synthetic-corpus.ts';
import { loadDataset } from '../store/datasets.ts';
import { openLabDb } from '../store/db.ts';
import { importShards } from '../store/import.ts';

export async function run(p: URLSearchParams): Promise<unknown> {
  const mb = Number(p.get('mb') ?? 50);
  const file = new File([...corpusLines(mb * 1e6)], 'miracl-corpus-v1.0-de-0.jsonl', { type: 'application/jsonl' });
  let t = performance.now();
  const shard = await parseShard(file);
  const parseS = (performance.now() - t) / 1000;
  const db = await openLabDb(`polyglot-lab-bench-${Date.now()}`);
  t = performance.now();
  const outcome = await importShards(db, [file], { name: 'bench' });
  const storeS = (performance.now() - t) / 1000;
  if (!outcome.ok) throw new Error(outcome.errors.map((e) => e.message).join('; '));
  const passages = shard.format === 'miracl-corpus' ? shard.passages.length : 0;
  const keys = (await db.getAllKeys('parsed')).map(String);
  // Read back from storage, as a reload would: the parsed cache, in parts when large (store/parsed-cache.ts).
  t = performance.now();
  const back = await loadDataset(db, outcome.record.id);
  const loadS = (performance.now() - t) / 1000;
  db.close();
  return {
    bytes: file.size, passages, parseS, storeS, loadS, readBack: back.passages.length,
    stored: keys.filter((k) => !k.includes('\u0000')).length, parts: keys.filter((k) => k.includes('\u0000')).length, cores: navigator.hardwareConcurrency,
  };
}
