import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run, parseSentences, nodeFolderProvider } from '../../../src/cli/commands/embed.ts';
import { embedTexts, loadTextModel } from '../../../src/core/tokenize/text-model.ts';
import { initNodeBackend } from '../../../src/node/backend.ts';
import { GENERATED_MODELS_DIR, startMockHub, type MockHub } from '../../support/mock-hub.ts';
import { LabError } from '../../../src/core/errors.ts';

const BERT = join(GENERATED_MODELS_DIR, 'tiny-bert');
const XLMR = join(GENERATED_MODELS_DIR, 'tiny-xlmr');
const SENTENCES = ['How many points did the Panthers defense give up?', 'Wie viele Punkte gab die Verteidigung der Panthers ab?', '黑豹队的防守丢了多少分？', 'Сколько очков уступила защита Пэнтерс?'];

const tmp = mkdtempSync(join(tmpdir(), 'embed-cli-'));
const input = join(tmp, 'sentences.txt');
writeFileSync(input, SENTENCES.join('\n') + '\n');

type Out = { dim: number; embeddings: number[][] };
const readOut = (p: string): Out => JSON.parse(readFileSync(p, 'utf8')) as Out;
const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

async function cli(...argv: string[]): Promise<number> {
  return run(argv);
}

let hub: MockHub;
beforeAll(async () => {
  vi.spyOn(console, 'error').mockImplementation(() => {});
  await initNodeBackend('wasm');
  hub = await startMockHub({ repos: { 'test-org/tiny-bert': BERT, 'test-org/tiny-xlmr': XLMR }, gated: {} });
});
afterAll(async () => { await hub.close(); vi.restoreAllMocks(); });

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(tol);
}

describe('npm run lab -- embed', () => {
  it('embeds a folder model: one unit-norm row per line, equal to the API one sentence at a time', async () => {
    const out = join(tmp, 'bert.json');
    expect(await cli('--model', BERT, '--input', input, '--out', out, '--backend', 'wasm')).toBe(0);
    const r = readOut(out);
    expect(r.dim).toBe(32);
    expect(r.embeddings).toHaveLength(SENTENCES.length);
    for (const e of r.embeddings) { expect(e).toHaveLength(32); expect(norm(e)).toBeCloseTo(1, 5); }
    const model = await loadTextModel(nodeFolderProvider(BERT));
    for (let i = 0; i < SENTENCES.length; i++) {
      const [single] = await embedTexts(model, [SENTENCES[i]!]); // alone: no padding at all
      expectClose(r.embeddings[i]!, single!);
    }
    // Different sentences, different vectors (the model is random but not constant).
    expect(Math.abs(r.embeddings[0]![0]! - r.embeddings[1]![0]!)).toBeGreaterThan(1e-6);
    model.encoder.dispose();
  });

  it('applies --prefix and --pooling like the API does', async () => {
    const out = join(tmp, 'xlmr-q.json');
    expect(await cli('--model', XLMR, '--input', input, '--out', out, '--prefix', 'query: ', '--pooling', 'mean', '--backend', 'cpu')).toBe(0);
    const r = readOut(out);
    expect(r.dim).toBe(24); // the LaBSE-like 2_Dense head
    const model = await loadTextModel(nodeFolderProvider(XLMR), { pooling: 'mean' });
    const api = await embedTexts(model, SENTENCES, { prefix: 'query: ' });
    api.forEach((v, i) => expectClose(r.embeddings[i]!, v, 1e-4)); // cpu vs wasm backends
    const noPrefix = await embedTexts(model, SENTENCES.slice(0, 1));
    expect(Math.abs(noPrefix[0]![0]! - api[0]![0]!)).toBeGreaterThan(1e-6);
    model.encoder.dispose();
    const cls = join(tmp, 'xlmr-cls.json');
    expect(await cli('--model', XLMR, '--input', input, '--out', cls, '--prefix', 'query: ')).toBe(0);
    expect(Math.abs(readOut(cls).embeddings[0]![0]! - r.embeddings[0]![0]!)).toBeGreaterThan(1e-6);
  });

  it('downloads through the hub (redirects, cache) and works offline from the disk cache', async () => {
    const own = await startMockHub({ repos: { 'test-org/tiny-bert': BERT } });
    const cacheDir = join(tmp, 'cache');
    const viaHub = join(tmp, 'hub.json');
    expect(await cli('--model', 'test-org/tiny-bert', '--host', own.url, '--revision', 'main', '--cache-dir', cacheDir, '--input', input, '--out', viaHub)).toBe(0);
    expect(own.requests.some((q) => q.status === 302)).toBe(true);
    await own.close();
    const offline = join(tmp, 'offline.json');
    expect(await cli('--model', 'test-org/tiny-bert', '--host', own.url, '--cache-dir', cacheDir, '--input', input, '--out', offline)).toBe(0);
    const folder = join(tmp, 'folder.json');
    expect(await cli('--model', BERT, '--input', input, '--out', folder)).toBe(0);
    expect(readOut(viaHub)).toEqual(readOut(folder));
    expect(readOut(offline)).toEqual(readOut(folder));
  });

  it('fails with the hub error and writes nothing for a missing model', async () => {
    const out = join(tmp, 'never.json');
    await expect(cli('--model', 'test-org/missing', '--host', hub.url, '--no-cache', '--input', input, '--out', out))
      .rejects.toMatchObject({ code: 'model-not-found' });
    expect(() => readFileSync(out)).toThrow();
  });

  it('rejects empty lines with their line number, and bad arguments with usage (exit 2)', async () => {
    expect(parseSentences('a\r\nb\r\n', 'f.txt')).toEqual(['a', 'b']);
    expect(parseSentences('\uFEFFa\nb', 'f.txt')).toEqual(['a', 'b']);
    let e: unknown;
    try { parseSentences('a\n\nc\n', 'f.txt'); } catch (x) { e = x; }
    expect(e).toBeInstanceOf(LabError);
    expect((e as LabError).location).toEqual({ file: 'f.txt', line: 2 });
    expect(() => parseSentences('', 'f.txt')).toThrow(/has no sentences/);
    const bad = join(tmp, 'bad.txt');
    writeFileSync(bad, 'one\n   \nthree\n');
    await expect(cli('--model', BERT, '--input', bad, '--out', join(tmp, 'x.json'))).rejects.toThrow(/bad\.txt, line 2: is empty/);
    expect(await cli('--model', BERT, '--input', input)).toBe(2);
    expect(await cli('--model', BERT, '--input', input, '--out', 'o.json', '--pooling', 'max')).toBe(2);
    expect(await cli('--model', BERT, '--input', input, '--out', 'o.json', '--frobnicate', '1')).toBe(2);
    await expect(cli('--model', './no/such/folder', '--input', input, '--out', join(tmp, 'y.json'))).rejects.toThrow(/does not exist/);
  });
});
