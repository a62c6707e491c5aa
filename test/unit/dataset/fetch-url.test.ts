/**
 * Shards from a URL (src/core/io/fetch-url.ts) against a real HTTP server on the loopback: the bytes with
 * progress, the name and folder from the URL (so a language folder names the language), and every way a URL
 * goes wrong, each a LabError naming the URL: not https, unreachable, HTTP 404, a web page instead of a file,
 * a body cut short of its Content-Length, over the size limit, empty.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchUrlShard, fileNameOfUrl, pathOfUrl } from '../../../src/core/io/fetch-url.ts';
import { parseShard } from '../../../src/core/dataset/parse-shard.ts';
import { shardSourceFromBytes } from '../../../src/core/dataset/shard-source.ts';
import { expectLabError } from './helpers.ts';

const CORPUS = Array.from({ length: 400 }, (_, i) => JSON.stringify({ _id: `d${i}`, title: 't', text: `Berlin ${i}` })).join('\n') + '\n';
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '';
    if (path.startsWith('/datasets/x/resolve/main/de/corpus.jsonl')) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': Buffer.byteLength(CORPUS), 'access-control-allow-origin': '*' });
      res.end(CORPUS);
    } else if (path === '/page.jsonl') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<html>a dataset viewer</html>');
    } else if (path === '/cut.jsonl') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 5000 });
      res.write(CORPUS.slice(0, 1000));
      setTimeout(() => res.destroy(), 20);
    } else if (path === '/empty.jsonl') {
      res.writeHead(200, { 'content-length': 0 });
      res.end();
    } else {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

describe('shards from a URL', () => {
  it('streams the bytes with progress; the name and folder come from the URL', async () => {
    const url = `${base}/datasets/x/resolve/main/de/corpus.jsonl?download=true`;
    const progress: [number, number | null][] = [];
    const got = await fetchUrlShard(url, { onProgress: (d, t) => progress.push([d, t]) });
    expect(got.name).toBe('corpus.jsonl');
    expect(new TextDecoder().decode(got.bytes)).toBe(CORPUS);
    expect(progress.at(-1)).toEqual([Buffer.byteLength(CORPUS), Buffer.byteLength(CORPUS)]);
    expect(pathOfUrl(url)).toBe('datasets/x/resolve/main/de/corpus.jsonl');
    // Parsed like a dropped file: the language from the URL's folder.
    const shard = await parseShard({ ...shardSourceFromBytes(got.name, got.bytes), path: pathOfUrl(url) });
    expect(shard.format === 'miracl-corpus' && [shard.lang, shard.passages.length]).toEqual(['de', 400]);
    expect(fileNameOfUrl('https://h.example/a/b%20c.parquet?x=1')).toBe('b c.parquet');
  });

  it('names what went wrong', async () => {
    await expectLabError(fetchUrlShard('http://example.com/de.json'), 'invalid-argument');
    await expectLabError(fetchUrlShard('https://user:pw@example.com/de.json'), 'invalid-argument');
    await expectLabError(fetchUrlShard('ftp://example.com/de.json'), 'invalid-argument');
    await expectLabError(fetchUrlShard(`${base}/`), 'invalid-argument');
    const e404 = await expectLabError(fetchUrlShard(`${base}/missing.jsonl`), 'network', { file: `${base}/missing.jsonl` });
    expect(e404.message).toMatch(/HTTP 404/);
    const page = await expectLabError(fetchUrlShard(`${base}/page.jsonl`), 'unknown-format');
    expect(page.message).toMatch(/web page.*\/resolve\//);
    const cut = await expectLabError(fetchUrlShard(`${base}/cut.jsonl`), 'network');
    expect(cut.message).toMatch(/broke off after 1000 bytes|ended after 1000 of the 5000 bytes/);
    await expectLabError(fetchUrlShard(`${base}/datasets/x/resolve/main/de/corpus.jsonl`, { maxBytes: 100 }), 'file-too-large');
    await expectLabError(fetchUrlShard(`${base}/empty.jsonl`), 'empty-file');
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const a = closed.address();
    await new Promise<void>((done) => closed.close(() => done()));
    await expectLabError(fetchUrlShard(`http://127.0.0.1:${typeof a === 'object' && a ? a.port : 1}/de.json`), 'network');
  });
});
