/**
 * harness.html?suite=big-values[&mb=150]: the caches hold values larger than Chromium takes as one IndexedDB
 * value (about 133 MB as an ArrayBuffer): a model file, a corpus's token ids, a passage embedding matrix, each
 * written and read back through the store's own caches (store/stored-bytes.ts keeps them as Blobs).
 */
import { IdbEmbeddingCache } from '../store/embedding-cache.ts';
import { IdbModelCache } from '../store/model-cache.ts';
import { IdbTokenCache } from '../store/token-cache.ts';

/** Same bytes: length and a sample spread over the buffer. */
function same(a: ArrayBufferView, b: ArrayBufferView): boolean {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i += 4099) if (x[i] !== y[i]) return false;
  return x[x.length - 1] === y[y.length - 1];
}

export async function run(p: URLSearchParams): Promise<unknown> {
  const bytes = Number(p.get('mb') ?? 150) * 1e6;
  const stamp = Date.now();
  const pattern = (n: number) => { const u = new Uint8Array(n); for (let i = 0; i < n; i += 997) u[i] = (i / 997) & 255; u[n - 1] = 7; return u; };

  const model = new IdbModelCache(`bench-model-${stamp}`);
  const weights = pattern(bytes);
  await model.put('host|org/model|main|model.safetensors', weights);
  const modelBack = await model.get('host|org/model|main|model.safetensors');

  const tokens = new IdbTokenCache(`bench-tokens-${stamp}`);
  const ids = new Int32Array(pattern(bytes - (bytes % 4)).buffer);
  const offsets = new Int32Array([0, ids.length]);
  const tk = { datasetHash: 'd', tokenizerHash: 't', maxLength: 128, prefix: '', part: 'passages' };
  await tokens.put(tk, { ids, offsets });
  const tokensBack = await tokens.get(tk, 1);

  const embeddings = new IdbEmbeddingCache(`bench-emb-${stamp}`);
  const dim = 384;
  const rows = Math.floor(bytes / 4 / dim);
  const data = new Float32Array(pattern(rows * dim * 4).buffer);
  const ek = { modelHash: 'm', datasetHash: 'd', maxLength: 128, prefix: '', pooling: 'mean', part: 'passages' };
  const warning = await embeddings.put(ek, { rows, dim, data });
  const embBack = await embeddings.get(ek, rows);

  return {
    bytes,
    model: modelBack !== undefined && same(modelBack, weights),
    tokens: tokensBack !== undefined && same(tokensBack.ids, ids),
    embeddings: warning === undefined && embBack !== undefined && same(embBack.data, data),
    warning: warning ?? null,
  };
}
