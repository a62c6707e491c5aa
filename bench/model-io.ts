/**
 * `npm run bench -- model-io [--mb N]`: the model loading path outside the encoder.
 *  1. Tokenization of real XQuAD-R text (all 11 languages: questions and
 *     answer sentences) with the mBERT tokenizer, max length 128, through
 *     LabTokenizer.encodeBatch. Reference, same process, same texts:
 *     transformers.js's own encode() (which our wrapper calls once per text),
 *     so the ratio is the wrapper's overhead (truncation, specials, ragged copy).
 *  2. Hub download from the local mock hub (302 redirect, streamed, one
 *     progress) of a model repo with an N MB (default 200) weights file.
 *     Reference: a bare fetch + arrayBuffer() of the same CDN URL from the
 *     same server. Then a reload of the same model from the cache
 *     (fake-indexeddb in Node: a lower bound for a browser's IndexedDB).
 */
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { LabTokenizer } from '../src/core/tokenize/tokenizer.ts';
import { loadModelFromHub } from '../src/core/hub/download.ts';
import { hubRef } from '../src/core/hub/url.ts';
import { IdbModelCache } from '../src/store/model-cache.ts';
import { startMockHub } from '../test/support/mock-hub.ts';

const XQ = ['ar', 'de', 'el', 'en', 'es', 'hi', 'ru', 'th', 'tr', 'vi', 'zh'];
const root = new URL('../../shared/', import.meta.url);

function texts(): string[] {
  const out: string[] = [];
  for (const l of XQ) {
    const d = JSON.parse(readFileSync(new URL(`data/xquad-r/${l}.json`, root), 'utf8')) as {
      data: { paragraphs: { context: string; qas: { question: string }[] }[] }[];
    };
    for (const a of d.data) for (const p of a.paragraphs) {
      out.push(...p.context.split(/(?<=[.!?。])\s*/).filter((s) => s.length > 0));
      for (const q of p.qas) out.push(q.question);
    }
  }
  return out;
}

function time<T>(f: () => T): [T, number] {
  const t = performance.now();
  const r = f();
  return [r, (performance.now() - t) / 1000];
}

export async function run(argv: string[]): Promise<void> {
  const mbArg = argv.indexOf('--mb');
  const mb = mbArg >= 0 ? Number(argv[mbArg + 1]) : 200;
  console.log(`machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, node ${process.version}`);

  const tok = await LabTokenizer.fromSource({ tokenizerJson: readFileSync(new URL('models/mbert-cased-tokenizer/tokenizer.json', root)) });
  const all = texts();
  const core = (tok as unknown as { core: { encode(t: string, p: null, o: { add_special_tokens: boolean }): number[] } }).core;
  core.encode(all[0]!, null, { add_special_tokens: true }); // warm up
  const [, refS] = time(() => { let n = 0; for (const t of all) n += core.encode(t, null, { add_special_tokens: true }).length; return n; });
  const [ragged, ourS] = time(() => tok.encodeBatch(all, { maxLength: 128 }));
  console.log(`tokenize: ${all.length} XQuAD-R texts (11 languages), ${ragged.ids.length} tokens`);
  console.log(`  LabTokenizer.encodeBatch  ${(all.length / ourS).toFixed(0)} texts/s  (${ourS.toFixed(2)} s)`);
  console.log(`  transformers.js encode    ${(all.length / refS).toFixed(0)} texts/s  (${refS.toFixed(2)} s)   ratio ours/ref time ${(ourS / refS).toFixed(2)}`);

  const weights = new Uint8Array(mb * 1024 * 1024);
  for (let i = 0; i < weights.length; i += 4096) weights[i] = i & 255;
  const hub = await startMockHub({ repos: { 'bench/model': {
    'config.json': '{"model_type":"bert"}', 'tokenizer.json': readFileSync(new URL('models/mbert-cased-tokenizer/tokenizer.json', root)), 'model.safetensors': weights,
  } } });
  try {
    const cdn = `${hub.url}/cdn/bench/model/main/model.safetensors`;
    const t0 = performance.now();
    const raw = new Uint8Array(await (await fetch(cdn)).arrayBuffer());
    const rawS = (performance.now() - t0) / 1000;
    let events = 0;
    const cache = new IdbModelCache('bench-model-io');
    const r = await loadModelFromHub(hubRef('bench/model', 'main', hub.url), { cache, onProgress: () => { events++; } });
    const t1 = performance.now();
    const again = await loadModelFromHub(hubRef('bench/model', 'main', hub.url), { cache });
    const cacheS = (performance.now() - t1) / 1000;
    const MB = 1024 * 1024;
    console.log(`hub download: ${(r.totalBytes / MB).toFixed(1)} MB in ${r.seconds.toFixed(2)} s = ${(r.totalBytes / MB / r.seconds).toFixed(0)} MB/s, ${events} progress events (incl. HEADs, cache writes)`);
    console.log(`  bare fetch of the weights: ${(raw.length / MB / rawS).toFixed(0)} MB/s   ratio ours/ref time per byte ${((r.seconds / r.totalBytes) / (rawS / raw.length)).toFixed(2)}`);
    console.log(`  reload from cache (fake-indexeddb): ${cacheS.toFixed(2)} s, fromCache=${again.fromCache}`);
  } finally {
    await hub.close();
  }
}
