import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockHub, type MockHub } from '../../support/mock-hub.ts';
import { loadModelFromHub, MANIFEST_FILE, type DownloadProgress } from '../../../src/core/hub/download.ts';
import { fileKey, hubRef, resolveUrl } from '../../../src/core/hub/url.ts';
import { IdbModelCache } from '../../../src/store/model-cache.ts';
import { LabError } from '../../../src/core/errors.ts';

// Deterministic pseudo-random bytes: a "weights" file big enough to be redirected and streamed in many chunks.
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; out[i] = x >>> 24; }
  return out;
}

const WEIGHTS = bytes(300_000, 1);
const TOKENIZER = JSON.stringify({ version: '1.0', model: { type: 'WordPiece', vocab: { '[UNK]': 0 } }, pad: 'x'.repeat(20_000) });
const DENSE = bytes(20_000, 2);
const bertConfig = JSON.stringify({ model_type: 'bert', hidden_size: 32 });

const stRepo = {
  'config.json': bertConfig,
  'model.safetensors': WEIGHTS,
  'tokenizer.json': TOKENIZER,
  'tokenizer_config.json': JSON.stringify({ tokenizer_class: 'BertTokenizer' }),
  'modules.json': JSON.stringify([
    { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
    { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
    { idx: 2, name: '2', path: '2_Dense', type: 'sentence_transformers.models.Dense' },
    { idx: 3, name: '3', path: '3_Normalize', type: 'sentence_transformers.models.Normalize' },
  ]),
  '1_Pooling/config.json': JSON.stringify({ word_embedding_dimension: 32, pooling_mode_mean_tokens: true }),
  '2_Dense/config.json': JSON.stringify({ in_features: 32, out_features: 16 }),
  '2_Dense/model.safetensors': DENSE,
};

let hub: MockHub;
beforeAll(async () => {
  hub = await startMockHub({
    chunkSize: 16 * 1024,
    repos: {
      'org/st-model': stRepo,
      'org/plain': { 'config.json': bertConfig, 'model.safetensors': WEIGHTS, 'tokenizer.json': TOKENIZER },
      'org/gated': { 'config.json': bertConfig, 'model.safetensors': WEIGHTS, 'tokenizer.json': TOKENIZER },
      'org/gpt': { 'config.json': JSON.stringify({ model_type: 'gpt2' }), 'model.safetensors': WEIGHTS, 'tokenizer.json': TOKENIZER },
      'org/no-tokenizer': { 'config.json': bertConfig, 'model.safetensors': WEIGHTS },
      'org/bin-only': { 'config.json': bertConfig, 'pytorch_model.bin': WEIGHTS, 'tokenizer.json': TOKENIZER },
      'org/sharded': {
        'config.json': bertConfig, 'tokenizer.json': TOKENIZER,
        'model.safetensors.index.json': JSON.stringify({ metadata: {}, weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors', c: 'model-00001-of-00002.safetensors' } }),
        'model-00001-of-00002.safetensors': WEIGHTS, 'model-00002-of-00002.safetensors': DENSE,
      },
      'org/bad-config': { 'config.json': '{"model_type": "bert",', 'model.safetensors': WEIGHTS, 'tokenizer.json': TOKENIZER },
    },
    gated: { 'org/gated': 'hf_secret' },
    revisions: ['main', 'v1'],
  });
});
afterAll(async () => { await hub.close(); });

async function expectLabError(p: Promise<unknown>, code: string, ...inMessage: string[]): Promise<LabError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(LabError);
  const le = e as LabError;
  expect(le.code).toBe(code);
  for (const s of inMessage) expect(le.message).toContain(s);
  return le;
}

describe('hub urls', () => {
  it('builds {host}/{id}/resolve/{revision}/{file} with encoded parts', () => {
    const ref = hubRef('intfloat/multilingual-e5-small', 'refs/pr/1', 'https://mirror.example/hf/');
    expect(resolveUrl(ref, '1_Pooling/config.json')).toBe('https://mirror.example/hf/intfloat/multilingual-e5-small/resolve/refs%2Fpr%2F1/1_Pooling/config.json');
    expect(resolveUrl(hubRef('bert-base-multilingual-cased'), 'config.json')).toBe('https://huggingface.co/bert-base-multilingual-cased/resolve/main/config.json');
    expect(fileKey(ref, 'config.json')).toBe('https://mirror.example/hf|intfloat/multilingual-e5-small|refs/pr/1|config.json');
  });
  it('rejects bad ids, revisions and hosts with the field named', () => {
    for (const [id, rev, host, field] of [
      ['a/b/c', 'main', 'https://h', 'model.id'], ['../x', 'main', 'https://h', 'model.id'], ['', 'main', 'https://h', 'model.id'],
      ['a/b', 'x y', 'https://h', 'model.revision'], ['a/b', 'main', 'ftp://h', 'model.host'], ['a/b', 'main', 'not a url', 'model.host'],
    ] as const) {
      let err: unknown;
      try { hubRef(id, rev, host); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(LabError);
      expect((err as LabError).location.path).toBe(field);
    }
  });
});

describe('hub download against the mock hub', () => {
  it('fetches every file a sentence-transformers model needs, with one monotonic progress and right totals', async () => {
    const events: DownloadProgress[] = [];
    const r = await loadModelFromHub(hubRef('org/st-model', 'main', hub.url), { onProgress: (p) => events.push(p), progressIntervalMs: 0 });
    expect([...r.files.keys()].sort()).toEqual(Object.keys(stRepo).sort());
    for (const [k, v] of Object.entries(stRepo)) {
      expect(Buffer.from(r.files.get(k)!).equals(Buffer.from(typeof v === 'string' ? new TextEncoder().encode(v) : v))).toBe(true);
    }
    const total = Object.values(stRepo).reduce((s, v) => s + (typeof v === 'string' ? new TextEncoder().encode(v).byteLength : v.byteLength), 0);
    expect(r.totalBytes).toBe(total);
    expect(r.fromCache).toBe(false);
    expect(r.modelType).toBe('bert');
    const dl = events.filter((e) => e.phase !== 'checking');
    expect(dl.length).toBeGreaterThan(10); // 300 kB in 16 kB chunks
    for (let i = 1; i < events.length; i++) expect(events[i]!.bytesDone).toBeGreaterThanOrEqual(events[i - 1]!.bytesDone);
    for (const e of dl) {
      expect(e.bytesTotal).toBe(total); // the total is known before the first large byte moves
      expect(e.bytesDone).toBeLessThanOrEqual(e.bytesTotal);
    }
    const last = events.at(-1)!;
    expect(last).toMatchObject({ phase: 'done', bytesDone: total, bytesTotal: total, filesDone: 8, filesTotal: 8, fromCache: false });
    expect(last.bytesPerSecond).toBeGreaterThan(0);
    // The large files went through the 302 to the CDN path; the Normalize module asked for nothing.
    expect(hub.requests.some((q) => q.status === 302 && q.path.includes('/org/st-model/resolve/main/model.safetensors'))).toBe(true);
    expect(hub.requests.some((q) => q.method === 'GET' && q.status === 200 && q.path.startsWith('/cdn/org/st-model/main/model.safetensors'))).toBe(true);
    expect(hub.requests.some((q) => q.path.includes('3_Normalize'))).toBe(false);
  });

  it('still downloads, with a right final total, when the CDN refuses HEAD (GET-signed URLs)', async () => {
    const strict = await startMockHub({ repos: { 'org/st-model': stRepo }, cdnRejectsHead: true, chunkSize: 16 * 1024 });
    try {
      const events: DownloadProgress[] = [];
      const r = await loadModelFromHub(hubRef('org/st-model', 'main', strict.url), { onProgress: (p) => events.push(p), progressIntervalMs: 0 });
      expect(r.files.get('model.safetensors')).toEqual(WEIGHTS);
      expect(strict.requests.some((q) => q.method === 'HEAD' && q.status === 403)).toBe(true);
      for (let i = 1; i < events.length; i++) expect(events[i]!.bytesDone).toBeGreaterThanOrEqual(events[i - 1]!.bytesDone);
      expect(events.at(-1)).toMatchObject({ bytesDone: r.totalBytes, bytesTotal: r.totalBytes });
    } finally {
      await strict.close();
    }
  });

  it('loads a model without the optional files, and at a non-default revision', async () => {
    const r = await loadModelFromHub(hubRef('org/plain', 'v1', hub.url));
    expect([...r.files.keys()].sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json']);
  });

  it('fetches the shards a model.safetensors.index.json lists', async () => {
    const r = await loadModelFromHub(hubRef('org/sharded', 'main', hub.url));
    expect([...r.files.keys()].sort()).toEqual(['config.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'model.safetensors.index.json', 'tokenizer.json']);
    expect(r.files.get('model-00002-of-00002.safetensors')).toEqual(DENSE);
  });

  it('names the model and file for 404s: missing repo, revision, file', async () => {
    await expectLabError(loadModelFromHub(hubRef('org/nope', 'main', hub.url)), 'model-not-found', '"org/nope"', 'does not exist');
    await expectLabError(loadModelFromHub(hubRef('org/plain', 'v9', hub.url)), 'model-not-found', '"org/plain"', 'revision "v9"');
    const e = await expectLabError(loadModelFromHub(hubRef('org/no-tokenizer', 'main', hub.url)), 'model-not-found', '"org/no-tokenizer"', 'tokenizer.json');
    expect(e.location.file).toBe('tokenizer.json');
  });

  it('says a gated model is gated (401), and loads it with a token', async () => {
    await expectLabError(loadModelFromHub(hubRef('org/gated', 'main', hub.url)), 'model-gated', '"org/gated"', 'HTTP 401');
    const r = await loadModelFromHub(hubRef('org/gated', 'main', hub.url), { token: 'hf_secret' });
    expect(r.files.get('model.safetensors')!.byteLength).toBe(WEIGHTS.byteLength);
  });

  it('refuses a model over the device budget before downloading its weights', async () => {
    const before = hub.requests.length;
    await expectLabError(loadModelFromHub(hubRef('org/plain', 'main', hub.url), { maxBytes: 100_000 }), 'model-too-large', '"org/plain"', 'budget', '97.7 kB');
    const gets = hub.requests.slice(before).filter((q) => q.method === 'GET' && q.path.includes('model.safetensors'));
    expect(gets).toEqual([]);
  });

  it('refuses unsupported architectures and weight formats, and bad config JSON, early', async () => {
    const before = hub.requests.length;
    await expectLabError(loadModelFromHub(hubRef('org/gpt', 'main', hub.url)), 'model-unsupported', '"org/gpt"', 'gpt2');
    expect(hub.requests.slice(before).some((q) => q.path.includes('safetensors'))).toBe(false);
    await expectLabError(loadModelFromHub(hubRef('org/bin-only', 'main', hub.url)), 'model-unsupported', 'pytorch_model.bin');
    const e = await expectLabError(loadModelFromHub(hubRef('org/bad-config', 'main', hub.url)), 'model-config', 'config.json');
    expect(e.location.file).toBe('config.json');
  });

  it('says "network" naming the host and file when nothing answers', async () => {
    const dead = await startMockHub({ repos: {} });
    const url = dead.url;
    await dead.close();
    await expectLabError(loadModelFromHub(hubRef('org/plain', 'main', url)), 'network', url, 'config.json');
  });

  it('stops on cancel with a "cancelled" error, mid-download', async () => {
    const ctl = new AbortController();
    const p = loadModelFromHub(hubRef('org/plain', 'main', hub.url), {
      signal: ctl.signal, progressIntervalMs: 0,
      onProgress: (e) => { if (e.phase === 'downloading' && e.bytesDone > 50_000) ctl.abort(); },
    });
    await expectLabError(p, 'cancelled', '"org/plain"');
  });

  it('caches in IndexedDB and loads again with the hub stopped (offline)', async () => {
    const own = await startMockHub({ repos: { 'org/st-model': stRepo } });
    const ref = hubRef('org/st-model', 'main', own.url);
    const cache = new IdbModelCache('test-model-cache-offline');
    const first = await loadModelFromHub(ref, { cache });
    expect(first.fromCache).toBe(false);
    expect(first.cacheWarning).toBeUndefined();
    await own.close();
    const events: DownloadProgress[] = [];
    const again = await loadModelFromHub(ref, { cache, onProgress: (p) => events.push(p) });
    expect(again.fromCache).toBe(true);
    expect(again.totalBytes).toBe(first.totalBytes);
    for (const [k, v] of first.files) expect(Buffer.from(again.files.get(k)!).equals(Buffer.from(v))).toBe(true);
    expect(events).toEqual([expect.objectContaining({ phase: 'done', fromCache: true, bytesDone: first.totalBytes, bytesTotal: first.totalBytes })]);
    expect(await again.provider('2_Dense/model.safetensors')).toEqual(DENSE);
    expect(await again.provider('missing.json')).toBeUndefined();
    // Another revision is another cache entry: offline it cannot be loaded, and the error says network.
    await expectLabError(loadModelFromHub(hubRef('org/st-model', 'v1', own.url), { cache }), 'network');
  });

  it('resumes a failed download from the large files already cached', async () => {
    const repo = { ...stRepo };
    const own = await startMockHub({ repos: { 'org/st-model': repo }, chunkSize: 16 * 1024 });
    const ref = hubRef('org/st-model', 'main', own.url);
    const cache = new IdbModelCache('test-model-cache-resume');
    // Cut the connection while the LAST large file (2_Dense weights) streams: everything before it is complete.
    const ctl = new AbortController();
    const first = loadModelFromHub(ref, { cache, signal: ctl.signal, progressIntervalMs: 0,
      onProgress: (p) => { if (p.file === '2_Dense/model.safetensors') ctl.abort(); } });
    await expectLabError(first, 'cancelled');
    expect(await cache.get(fileKey(ref, MANIFEST_FILE))).toBeUndefined();
    expect(await cache.get(fileKey(ref, 'model.safetensors'))).toEqual(WEIGHTS);
    const before = own.requests.length;
    const r = await loadModelFromHub(ref, { cache });
    expect(r.files.get('2_Dense/model.safetensors')).toEqual(DENSE);
    const gets = own.requests.slice(before).filter((q) => q.method === 'GET' && q.status === 200).map((q) => q.path);
    expect(gets.some((p) => p.includes('/model.safetensors') && !p.includes('2_Dense'))).toBe(false);
    expect(gets.some((p) => p.includes('2_Dense/model.safetensors'))).toBe(true);
    await own.close();
  });

  it('never takes a half-cached model for a whole one', async () => {
    const own = await startMockHub({ repos: { 'org/plain': { 'config.json': bertConfig, 'model.safetensors': WEIGHTS, 'tokenizer.json': TOKENIZER } } });
    const ref = hubRef('org/plain', 'main', own.url);
    const cache = new IdbModelCache('test-model-cache-partial');
    await loadModelFromHub(ref, { cache });
    // Simulate an eviction of the weights (or a write cut off before the manifest).
    await cache.put(fileKey(ref, 'model.safetensors'), new Uint8Array(10));
    const before = own.requests.length;
    const r = await loadModelFromHub(ref, { cache });
    expect(r.fromCache).toBe(false);
    expect(r.files.get('model.safetensors')!.byteLength).toBe(WEIGHTS.byteLength);
    expect(own.requests.slice(before).some((q) => q.method === 'GET' && q.path.includes('model.safetensors'))).toBe(true);
    expect(await cache.get(fileKey(ref, MANIFEST_FILE))).toBeDefined();
    await own.close();
  });
});
