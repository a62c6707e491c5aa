/**
 * `npm run bench -- tokenize [--max-length 512] [--limit N]`
 *
 * Tokens/s of the lab's tokenizer (src/core/tokenize/tokenizer.ts: the real mBERT
 * cased tokenizer.json through @xenova/transformers, truncation and specials done
 * by the lab) over every XQuAD-R passage and question, per language, in a worker
 * thread (the app tokenizes in a worker: workers/tokenize.worker.ts), next to the
 * same texts on the main thread of the same process (the reference). The worker's
 * figure excludes sending the texts; the ratio shows what the thread costs.
 * Thai, written without spaces, is an order of magnitude slower per token than
 * the other languages: WordPiece's longest-match runs over whole unsegmented runs.
 */
import os from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { loadDatasetFromPaths } from '../src/cli/load-files.ts';
import { LabTokenizer, type TokenizerSource } from '../src/core/tokenize/tokenizer.ts';

const DATA = fileURLToPath(new URL('../../shared/data/xquad-r/', import.meta.url));
const TOKENIZER = fileURLToPath(new URL('../../shared/models/mbert-cased-tokenizer/tokenizer.json', import.meta.url));

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** One request to the worker; a worker that dies or exits without answering rejects instead of leaving the bench waiting. */
function ask<T>(w: Worker, msg: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const off = (): void => { w.off('message', done); w.off('error', fail); w.off('exit', exited); };
    const done = (m: T): void => { off(); resolve(m); };
    const fail = (e: Error): void => { off(); reject(e); };
    const exited = (code: number): void => { off(); reject(new Error(`the tokenize worker exited (code ${code}) without answering`)); };
    w.on('message', done);
    w.on('error', fail);
    w.on('exit', exited);
    w.postMessage(msg);
  });
}

export async function run(argv: string[]): Promise<void> {
  const maxLength = Number(arg(argv, '--max-length') ?? 512);
  const limit = Number(arg(argv, '--limit') ?? Infinity);
  const cpu = os.cpus();
  console.log(`machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, node ${process.version}; tokenizer: mBERT cased (${TOKENIZER})`);
  const files = readdirSync(DATA).filter((f) => f.endsWith('.json')).sort().map((f) => DATA + f);
  const ds = await loadDatasetFromPaths(files);
  const src: TokenizerSource = { tokenizerJson: new Uint8Array(readFileSync(TOKENIZER)) };
  const main = await LabTokenizer.fromSource(src);
  // The worker registers tsx's loader before importing its TypeScript module.
  const entry = new URL('./tokenize-worker.ts', import.meta.url).href;
  const worker = new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`, { eval: true });
  try {
    await ask(worker, { load: src });
    console.log(`\nXQuAD-R passages + questions, max length ${maxLength}, per language`);
    console.log('| language | texts | tokens | worker tokens/s | main thread tokens/s | worker / main |');
    console.log('|---|---|---|---|---|---|');
    let all = { texts: 0, tokens: 0, wMs: 0, mMs: 0 };
    for (const lang of ds.languages) {
      const texts = [...ds.passages.filter((p) => p.lang === lang).map((p) => p.text), ...ds.queries.filter((q) => q.lang === lang).map((q) => q.text)].slice(0, limit);
      const w = await ask<{ ms: number; tokens: number }>(worker, { texts, maxLength });
      const t = performance.now();
      const m = main.encodeBatch(texts, { maxLength });
      const mMs = performance.now() - t;
      if (m.ids.length !== w.tokens) throw new Error(`${lang}: the worker made ${w.tokens} tokens, the main thread ${m.ids.length}`);
      all = { texts: all.texts + texts.length, tokens: all.tokens + w.tokens, wMs: all.wMs + w.ms, mMs: all.mMs + mMs };
      console.log(`| ${lang} | ${texts.length} | ${w.tokens} | ${(w.tokens / w.ms * 1000).toFixed(0)} | ${(m.ids.length / mMs * 1000).toFixed(0)} | ${(mMs / w.ms).toFixed(2)}× |`);
    }
    console.log(`| all | ${all.texts} | ${all.tokens} | ${(all.tokens / all.wMs * 1000).toFixed(0)} | ${(all.tokens / all.mMs * 1000).toFixed(0)} | ${(all.mMs / all.wMs).toFixed(2)}× |`);
    console.log(`tokenize: ${(all.tokens / all.wMs * 1000).toFixed(0)} tokens/s in a worker thread`);
  } finally {
    await worker.terminate();
  }
}
