/**
 * `npm run bench -- store [--mb 50] [--no-build]`: import into the browser's IndexedDB, the half of the
 * datasets suite's "parse and store" that Node (no real IndexedDB) cannot take. In the built page in Debian's
 * chromium (src/harness/ingest.ts): a synthetic MIRACL corpus parsed alone (the reference, same page and
 * File), then parsed and stored by the importer (one transaction: the shard's bytes, the dataset, its parsed
 * cache, in parts when large), then read back as a reload would. Reported: MB/s of each, ratios to parsing.
 */
import os from 'node:os';
import { browserAvailable, CHROMIUM, runHarness } from './browser.ts';

interface Result { bytes: number; passages: number; parseS: number; storeS: number; loadS: number; readBack: number; stored: number; parts: number; cores: number }

export async function run(argv: string[]): Promise<void> {
  const i = argv.indexOf('--mb');
  const mb = i >= 0 ? Number(argv[i + 1]) : 50;
  if (!(mb > 0)) throw new Error('--mb needs a positive number');
  const cpu = os.cpus();
  console.log(`machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, chromium ${CHROMIUM}, IndexedDB of a fresh profile, page main thread`);
  if (!browserAvailable()) {
    console.log(`store: skipped, no chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);
    return;
  }
  const r = (await runHarness('ingest', `mb=${mb}`, { build: !argv.includes('--no-build'), timeoutMs: 900_000 })) as Result;
  if (r.stored !== 1) throw new Error(`the import stored ${r.stored} parsed datasets, not 1`);
  if (r.readBack !== r.passages) throw new Error(`${r.readBack} passages read back from IndexedDB, ${r.passages} parsed`);
  const size = r.bytes / 1e6;
  console.log(`\nA synthetic MIRACL corpus of ${size.toFixed(1)} MB (${r.passages.toLocaleString('en')} passages)`);
  console.log('| step | s | MB/s | vs parse alone |');
  console.log('|---|---|---|---|');
  console.log(`| parse (reference) | ${r.parseS.toFixed(2)} | ${(size / r.parseS).toFixed(1)} | 1.00× |`);
  console.log(`| parse + store in IndexedDB | ${r.storeS.toFixed(2)} | ${(size / r.storeS).toFixed(1)} | ${(r.storeS / r.parseS).toFixed(2)}× |`);
  console.log(`| read back from IndexedDB (a reload) | ${r.loadS.toFixed(2)} | ${(size / r.loadS).toFixed(1)} | ${(r.loadS / r.parseS).toFixed(2)}× |`);
  console.log(`parsed cache: ${r.parts === 0 ? 'one record' : `a head and ${r.parts} parts (no value over the browser's limit on one record)`}`);
  console.log(`store: ${(size / r.storeS).toFixed(1)} MB/s parse + store, ${(r.storeS / r.parseS).toFixed(2)}× parse alone`);
}
