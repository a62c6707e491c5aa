/**
 * Share links carry a RunConfig and a results snapshot in the URL fragment.
 * A real results object survives the round trip exactly; anything else a
 * link may hold (random text, a cut or edited link, unknown keys,
 * "__proto__", NaN-ish values, http model hosts, a deflate bomb, oversize
 * links) is one LabError — never another exception, never a value that
 * skipped the schemas. Fuzzed like the shard parsers.
 */
import { deflateSync } from 'fflate';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bm25Model } from '../../src/core/bm25/search.ts';
import { evaluateDataset } from '../../src/core/eval/evaluate.ts';
import { makeRunConfig } from '../../src/core/run-config.ts';
import { isLabError } from '../../src/core/errors.ts';
import { decodeShare, encodeShare, experimentSnapshotOf, MAX_ENCODED_CHARS, shareFromHash, type ShareSnapshot } from '../../src/core/share/link.ts';
import { parseExperiment } from '../../src/core/experiment/schema.ts';
import { aggregateExperiment } from '../../src/core/experiment/aggregate.ts';
import { resultsInFile } from '../../src/core/eval/results-schema.ts';
import { toyDataset } from './store/helpers.ts';

const config = () => makeRunConfig({
  version: 1, kind: 'bm25', model: { source: 'bm25' }, backend: 'cpu',
  datasets: [{ name: 'toy', shards: [{ name: 'de.json', sha256: 'a'.repeat(64) }] }],
});

async function snapshot(): Promise<ShareSnapshot> {
  const r = await evaluateDataset(toyDataset().dataset, bm25Model());
  r.description.config = config();
  return { v: 1, config: config(), results: [{ label: 'BM25', results: r }] };
}

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const link = (value: unknown) => b64url(deflateSync(new TextEncoder().encode(JSON.stringify(value))));

function onlyLabErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!isLabError(e)) throw e;
  }
}

describe('share links', () => {
  it("carries an experiment's comparison tables (not its runs), checked like everything else", async () => {
    const r = await evaluateDataset(toyDataset().dataset, bm25Model());
    const refs = [{ name: 'toy', shards: [{ name: 'de.json', sha256: 'a'.repeat(64) }] }];
    const e = parseExperiment({
      version: 1, kind: 'experiment', seeds: [1, 2], samplers: [{ name: 'X-X', sampler: 'xx' }, { name: 'hybrid', sampler: 'hybrid' }],
      run: { version: 1, kind: 'train', model: { source: 'hub', id: 'org/model' }, datasets: refs, train: { data: refs } },
    });
    const results = aggregateExperiment(e, [1, 2].flatMap((seed) => ['X-X', 'hybrid'].map((sampler) => ({ id: `${sampler}-seed${seed}`, sampler, seed, trained: [r] }))));
    const s = experimentSnapshotOf(e.run, results);
    expect(s.experiment!.tables).toEqual(results.tables);
    expect('runs' in s.experiment!).toBe(false);
    expect(decodeShare(encodeShare(s))).toEqual(s);
    // Unknown keys and impossible values are refused with the field named.
    expect(() => decodeShare(link({ ...s, experiment: { ...s.experiment, runs: {} } }))).toThrow(/experiment/);
    const bad = structuredClone(s);
    bad.experiment!.tables[0]!.rows[0]!.settings.mono!.sd = -1;
    expect(() => decodeShare(link(bad))).toThrow(/experiment\.tables\[0\]\.rows\[0\]\.settings\.mono\.sd/);
  });

  it('a real results snapshot survives the round trip exactly, and is read from the URL fragment', async () => {
    const s = await snapshot();
    const text = encodeShare(s);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeShare(text)).toEqual(s);
    expect(shareFromHash(`#share=${text}`)).toBe(text);
    expect(shareFromHash(`#x=1&share=${text}`)).toBe(text);
    expect(shareFromHash('#other=1')).toBeNull();
    // The same results read as a results.json file.
    expect(resultsInFile(JSON.stringify(s.results![0]!.results), 'r.json')[0]!.results).toEqual(s.results![0]!.results);
  });

  it('names what is wrong in a hostile or careless link', async () => {
    const s = await snapshot();
    const bad = (v: unknown, re: RegExp) => expect(() => decodeShare(link(v))).toThrow(re);
    bad({ ...s, extra: 1 }, /share link: Unrecognized key: "extra"/);
    bad({ ...s, config: { ...s.config, kind: 'eval', model: { source: 'hub', id: 'org/m', revision: 'main', host: 'http://evil.example' } } }, /not https/);
    const r = structuredClone(s.results![0]!.results);
    (r.settings.mono!.pairs as Record<string, unknown>)['__proto__'] = { map: 1 };
    expect(() => decodeShare(link({ ...s, results: [{ label: 'x', results: JSON.parse(JSON.stringify(r).replace('"de-de"', '"__proto__"')) }] }))).toThrow(/"__proto__"/);
    const r2 = structuredClone(s.results![0]!.results);
    r2.settings.mono!.pairs['de-de']!.map = 7;
    bad({ ...s, results: [{ label: 'x', results: r2 }] }, /results\[0\]\.results\.settings\.mono\.pairs\.de-de\.map/);
    bad('just a string', /share link/);
    expect(() => resultsInFile('{"kind": "polyglot-lab/eval-results", "__proto__": {}}', 'r.json')).toThrow(/"__proto__"/);
    expect(() => resultsInFile('{"kind": "something"}', 'r.json')).toThrow(/kind is "something"/);
    expect(() => decodeShare('')).toThrow(/empty/);
    expect(() => decodeShare('abc$%')).toThrow(/base64url/);
    expect(() => decodeShare(encodeShare(s).slice(0, 40))).toThrow(/decompress|JSON/);
    expect(() => decodeShare('A'.repeat(MAX_ENCODED_CHARS + 1))).toThrow(/over the 512 kB limit/);
    // A deflate bomb: 50 MB of zeros in 65 kB of link stops at the 8 MB limit.
    const bomb = b64url(deflateSync(new Uint8Array(50_000_000), { level: 9 }));
    expect(bomb.length).toBeLessThan(MAX_ENCODED_CHARS);
    expect(() => decodeShare(bomb)).toThrow(/expands past 8 MB/);
  });

  it('fuzz: random text and mutated links give a LabError or a checked snapshot, nothing else', async () => {
    const good = encodeShare(await snapshot());
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (t) => onlyLabErrors(() => decodeShare(t))), { numRuns: 500 });
    fc.assert(fc.property(fc.integer({ min: 0, max: good.length - 1 }), fc.constantFrom(...'ABCxyz019-_'), (i, ch) => {
      onlyLabErrors(() => {
        const s = decodeShare(good.slice(0, i) + ch + good.slice(i + 1));
        expect(s.v).toBe(1);
      });
    }), { numRuns: 500 });
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => onlyLabErrors(() => decodeShare(link(v)))), { numRuns: 300 });
  });
});

describe('remote inputs of a link', () => {
  it('lists shards with URLs once, refuses other hosts and credentials, and checks the bytes', async () => {
    const { remoteShards, verifyRemote } = await import('../../src/core/share/remote.ts');
    const { sha256Hex } = await import('../../src/core/io/sha256.ts');
    const bytes = new TextEncoder().encode('{"data": []}');
    const sha = await sha256Hex(bytes);
    const shard = { name: 'de.json', sha256: sha, url: 'https://data.example/de.json' };
    const c = makeRunConfig({
      version: 1, kind: 'bm25', model: { source: 'bm25' }, backend: 'cpu',
      datasets: [{ name: 'a', shards: [shard, { name: 'en.json', sha256: 'b'.repeat(64) }] }, { name: 'b', shards: [shard] }],
    });
    expect(remoteShards(c)).toEqual([{ dataset: 'a', ...shard }]);
    await expect(verifyRemote(remoteShards(c)[0]!, bytes)).resolves.toBeUndefined();
    await expect(verifyRemote(remoteShards(c)[0]!, new TextEncoder().encode('other'))).rejects.toThrow(/not the .* the link records/);
    const withUrl = (url: string) => () => makeRunConfig({ version: 1, kind: 'bm25', model: { source: 'bm25' }, backend: 'cpu', datasets: [{ name: 'a', shards: [{ ...shard, url }] }] });
    expect(withUrl('http://data.example/de.json')).toThrow(/https URL/);
    expect(withUrl('https://user:pw@data.example/de.json')).toThrow(/without credentials/);
    expect(withUrl('javascript:alert(1)')).toThrow(/https URL/);
    expect(withUrl('http://127.0.0.1:8000/de.json')).not.toThrow();
  });
});
