/**
 * A local HTTP server that answers like the Hugging Face hub, so tests run the
 * real download code (fetch, redirects, HEAD sizes, error headers, CORS):
 *
 *   GET|HEAD /{org}/{name}/resolve/{rev}/{file}
 *     - small files: 200 with the bytes
 *     - large files (≥ redirectAbove bytes, like the hub's LFS files): 302 to
 *       /cdn/{id}/{rev}/{file}, with X-Linked-Size, as huggingface.co does
 *     - missing file:    404 {"error":"Entry not found"}, X-Error-Code: EntryNotFound
 *     - missing repo:    404 {"error":"Repository not found"}, X-Error-Code: RepositoryNotFound
 *     - unknown revision 404, X-Error-Code: RevisionNotFound
 *     - gated repo:      401, X-Error-Code: GatedRepo (unless `Authorization: Bearer <token>` matches)
 *   OPTIONS *  → CORS preflight; every answer carries CORS headers so a page on another origin can fetch.
 *
 * Start: `const hub = await startMockHub({ repos: { 'org/tiny': '/path/to/folder' } })`; `hub.url`; `await hub.close()`.
 * Also runnable: `npx tsx test/support/mock-hub.ts [port]` serves the generated tiny models.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A repo: a folder on disk, or files in memory (path → content). */
export type MockRepo = string | Record<string, string | Uint8Array>;

export interface MockHubOptions {
  repos: Record<string, MockRepo>;
  /** Repo ids that answer 401 GatedRepo unless the request carries `Bearer {token}`. */
  gated?: Record<string, string>;
  /** Revisions every repo has (default: main). */
  revisions?: string[];
  /** Files at least this large are redirected to the CDN path (default 8 kB). */
  redirectAbove?: number;
  /** Bytes per body write; the server yields between writes so clients see several chunks. */
  chunkSize?: number;
  /** Sleep between chunks (ms), to make speed and progress visible in a browser. */
  chunkDelayMs?: number;
  port?: number;
  /** The CDN refuses HEAD (403), like storage URLs signed for GET only. */
  cdnRejectsHead?: boolean;
}

export interface MockHubRequest { method: string; path: string; status: number }

export interface MockHub {
  url: string;
  port: number;
  requests: MockHubRequest[];
  close(): Promise<void>;
}

export const GENERATED_MODELS_DIR = resolve(fileURLToPath(new URL('../fixtures/models/generated', import.meta.url)));

/** The generated tiny models under the ids tests use (`test-org/tiny-bert`, …). */
export function generatedRepos(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['tiny-bert', 'tiny-xlmr', 'tiny-distilbert']) out[`test-org/${name}`] = join(GENERATED_MODELS_DIR, name);
  return out;
}

function loadRepo(repo: MockRepo): Map<string, Uint8Array> | undefined {
  const files = new Map<string, Uint8Array>();
  if (typeof repo === 'string') {
    try {
      if (!statSync(repo).isDirectory()) return undefined;
    } catch {
      return undefined;
    }
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else files.set(relative(repo, p).split(sep).join('/'), readFileSync(p));
      }
    };
    walk(repo);
  } else {
    for (const [k, v] of Object.entries(repo)) files.set(k, typeof v === 'string' ? new TextEncoder().encode(v) : v);
  }
  return files;
}

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Range, Content-Type',
  'Access-Control-Expose-Headers': 'X-Error-Code, X-Error-Message, X-Linked-Size, X-Repo-Commit, ETag, Content-Length, Location',
};

export async function startMockHub(opts: MockHubOptions): Promise<MockHub> {
  const repos = new Map<string, Map<string, Uint8Array> | undefined>();
  const repoFiles = (id: string) => {
    if (!repos.has(id)) {
      const r = opts.repos[id];
      repos.set(id, r === undefined ? undefined : loadRepo(r));
    }
    return repos.get(id);
  };
  const revisions = new Set(opts.revisions ?? ['main']);
  const redirectAbove = opts.redirectAbove ?? 8 * 1024;
  const chunkSize = opts.chunkSize ?? 64 * 1024;
  const requests: MockHubRequest[] = [];
  let base = '';

  const send = (res: ServerResponse, req: IncomingMessage, status: number, headers: Record<string, string>, body?: Uint8Array | string) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', status });
    const bytes = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(status, { ...CORS, ...headers, ...(bytes ? { 'Content-Length': String(bytes.byteLength) } : {}) });
    if (!bytes || req.method === 'HEAD') return void res.end();
    void (async () => {
      for (let i = 0; i < bytes.byteLength; i += chunkSize) {
        if (res.destroyed) return;
        res.write(bytes.subarray(i, i + chunkSize));
        await new Promise((r) => (opts.chunkDelayMs ? setTimeout(r, opts.chunkDelayMs) : setImmediate(r)));
      }
      res.end();
    })();
  };
  const error = (res: ServerResponse, req: IncomingMessage, status: number, code: string, message: string) =>
    send(res, req, status, { 'Content-Type': 'application/json', 'X-Error-Code': code, 'X-Error-Message': message }, JSON.stringify({ error: message }));

  const server = createServer((req, res) => {
    if (req.method === 'OPTIONS') {
      requests.push({ method: 'OPTIONS', path: req.url ?? '', status: 204 });
      res.writeHead(204, CORS);
      return void res.end();
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, req, 405, {}, 'method not allowed');
    const url = new URL(req.url ?? '/', 'http://x');
    const segs = url.pathname.split('/').slice(1).map(decodeURIComponent);
    // /cdn/{org}/{name}/{rev}/{file…}: the "CDN" that large files redirect to.
    const cdn = segs[0] === 'cdn';
    const s = cdn ? segs.slice(1) : segs;
    const ri = cdn ? 2 : s.indexOf('resolve');
    if (ri < 1 || ri > 2 || (!cdn && s.length < ri + 3) || (cdn && s.length < 4)) return error(res, req, 404, 'RepositoryNotFound', 'Repository not found');
    const id = s.slice(0, ri).join('/');
    const rev = cdn ? s[2]! : s[ri + 1]!;
    const file = (cdn ? s.slice(3) : s.slice(ri + 2)).join('/');
    const files = repoFiles(id);
    if (!files) return error(res, req, 404, 'RepositoryNotFound', 'Repository not found');
    const token = opts.gated?.[id];
    if (token !== undefined && req.headers.authorization !== `Bearer ${token}` && !cdn) {
      return error(res, req, 401, 'GatedRepo', `Access to model ${id} is restricted. You must have access to it and be authenticated to access it. Please log in.`);
    }
    if (!revisions.has(rev)) return error(res, req, 404, 'RevisionNotFound', 'Invalid rev id: ' + rev);
    const bytes = files.get(file);
    if (!bytes) return error(res, req, 404, 'EntryNotFound', 'Entry not found');
    if (cdn && opts.cdnRejectsHead && req.method === 'HEAD') return send(res, req, 403, { 'Content-Type': 'application/xml' }, '<Error><Code>SignatureDoesNotMatch</Code></Error>');
    const etag = `"${bytes.byteLength.toString(16)}-${file.length}"`;
    if (!cdn && bytes.byteLength >= redirectAbove) {
      const loc = `${base}/cdn/${id}/${encodeURIComponent(rev)}/${file.split('/').map(encodeURIComponent).join('/')}?sig=mock`;
      return send(res, req, 302, { Location: loc, 'X-Linked-Size': String(bytes.byteLength), 'X-Repo-Commit': 'mockcommit', ETag: etag }, `Found. Redirecting to ${loc}`);
    }
    const type = file.endsWith('.json') ? 'application/json' : 'application/octet-stream';
    return send(res, req, 200, { 'Content-Type': type, ETag: etag, 'X-Repo-Commit': 'mockcommit' }, bytes);
  });

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, '127.0.0.1', () => ok());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    port,
    requests,
    close: () => new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}

// `npx tsx test/support/mock-hub.ts [port]`: serve the generated tiny models by hand.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? 8777);
  const repos = generatedRepos();
  void startMockHub({ repos: { ...repos, 'test-org/gated': repos['test-org/tiny-bert']! }, gated: { 'test-org/gated': 'secret' }, port }).then((h) => console.log(`mock hub on ${h.url}`));
}
