/**
 * harness.html?suite=big-values[&mb=150]: the store holds values larger than Chromium takes as one IndexedDB
 * value (about 133 MB as an ArrayBuffer): a model file, a corpus's token ids, a passage embedding matrix and a
 * training checkpoint, each written and read back through the store's own code (Blobs: store/stored-bytes.ts).
 * Each database is deleted once checked: a test browser's profile keeps blobs in memory, with a cap of its own.
 */
import { openLabDb } from '../store/db.ts';
import { IdbEmbeddingCache } from '../store/embedding-cache.ts';
import { IdbModelCache } from '../store/model-cache.ts';
import { IdbTokenCache } from '../store/token-cache.ts';
import { loadCheckpoint, saveCheckpoint } from '../store/train-runs.ts';

/** Same bytes: length and a sample spread over the buffer. */
function same(a: ArrayBufferView, b: ArrayBufferView): boolean {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i += 4099) if (x[i] !== y[i]) return false;
  return x[x.length - 1] === y[y.length - 1];
}

function pattern(n: number): Uint8Array {
  const u = new Uint8Array(n);
  for (let i = 0; i < n; i += 997) u[i] = (i / 997) & 255;
  u[n - 1] = 7;
  return u;
}

function drop(name: string): Promise<void> {
  return new Promise((resolve) => {
    const r = indexedDB.deleteDatabase(name);
    r.onsuccess = r.onerror = r.onblocked = () => resolve();
  });
}

/** Writes, reads back and compares in one database, then deletes it. */
async function check(name: string, f: (name: string) => Promise<boolean>): Promise<boolean> {
  try {
    return await f(name);
  } finally {
    await drop(name);
  }
}

export async function run(p: URLSearchParams): Promise<unknown> {
  const bytes = Number(p.get('mb') ?? 150) * 1e6;
  const stamp = Date.now();
  let warning: string | null = null;

  const model = await check(`big-model-${stamp}`, async (name) => {
    const cache = new IdbModelCache(name);
    const weights = pattern(bytes);
    await cache.put('host|org/model|main|model.safetensors', weights);
    const back = await cache.get('host|org/model|main|model.safetensors');
    cache.close();
    return back !== undefined && same(back, weights);
  });

  const tokens = await check(`big-tokens-${stamp}`, async (name) => {
    const cache = new IdbTokenCache(name);
    const ids = new Int32Array(pattern(bytes - (bytes % 4)).buffer);
    const key = { datasetHash: 'd', tokenizerHash: 't', maxLength: 128, prefix: '', part: 'passages' };
    await cache.put(key, { ids, offsets: new Int32Array([0, ids.length]) });
    const back = await cache.get(key, 1);
    cache.close();
    return back !== undefined && same(back.ids, ids);
  });

  const embeddings = await check(`big-embeddings-${stamp}`, async (name) => {
    const cache = new IdbEmbeddingCache(name);
    const dim = 384;
    const rows = Math.floor(bytes / 4 / dim);
    const data = new Float32Array(pattern(rows * dim * 4).buffer);
    const key = { modelHash: 'm', datasetHash: 'd', maxLength: 128, prefix: '', pooling: 'mean', part: 'passages' };
    warning = (await cache.put(key, { rows, dim, data })) ?? null;
    const back = await cache.get(key, rows);
    cache.close();
    return warning === null && back !== undefined && same(back.data, data);
  });

  // A checkpoint: the weights and both Adam moments, a third of the size each.
  const checkpoint = await check(`big-checkpoint-${stamp}`, async (name) => {
    const db = await openLabDb(name);
    await db.put('runs', { id: 'run', step: 0, history: [], status: 'paused', createdAt: 0, updatedAt: 0 } as never);
    const tensor = () => new Float32Array(pattern(Math.floor(bytes / 3 / 4) * 4).buffer);
    const [w, m, v] = [tensor(), tensor(), tensor()];
    await saveCheckpoint(db, 'run', { version: 1, step: 1, samplerState: 0, alpha: 0.5, history: [], optimizerStep: 1, weights: { w }, moments: { w: { m, v } } }, async () => ({}));
    const back = await loadCheckpoint(db, 'run');
    db.close();
    return back !== undefined && same(back.weights.w!, w) && same(back.moments.w!.m, m) && same(back.moments.w!.v, v);
  });

  return { bytes, model, tokens, embeddings, checkpoint, warning };
}
