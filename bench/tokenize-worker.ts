/** Worker thread of `bench tokenize`: loads the tokenizer and encodes what it is sent, timing only the encoding. */
import { parentPort } from 'node:worker_threads';
import { LabTokenizer, type TokenizerSource } from '../src/core/tokenize/tokenizer.ts';

let tok: LabTokenizer | undefined;
parentPort!.on('message', async (m: { load?: TokenizerSource; texts?: string[]; maxLength?: number }) => {
  if (m.load) {
    tok = await LabTokenizer.fromSource(m.load);
    parentPort!.postMessage({ loaded: true });
    return;
  }
  const t = performance.now();
  const r = tok!.encodeBatch(m.texts!, { maxLength: m.maxLength! });
  parentPort!.postMessage({ ms: performance.now() - t, tokens: r.ids.length });
});
