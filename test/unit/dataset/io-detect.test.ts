/** The streaming layer (lines, gzip, hashing, progress, cancel) and format/language detection. */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectShardFormat, languageFromFileName } from '../../../src/core/dataset/detect.ts';
import { locateJsonError } from '../../../src/core/dataset/json-locate.ts';
import { languageName } from '../../../src/core/dataset/languages.ts';
import { parseShard } from '../../../src/core/dataset/parse-shard.ts';
import { shardSourceFromBytes } from '../../../src/core/dataset/shard-source.ts';
import { readLines } from '../../../src/core/io/line-reader.ts';
import { Sha256 } from '../../../src/core/io/sha256.ts';
import { expectLabError, fixtureBytes } from './helpers.ts';

async function collect(bytes: Uint8Array | string, chunk: number, gz = false): Promise<{ lines: string[]; sha: string }> {
  const src = shardSourceFromBytes('x.jsonl', bytes, chunk);
  const ls = readLines(src, gz);
  const lines: string[] = [];
  for await (const l of ls.lines) lines.push(`${l.lineNo}:${l.text}`);
  return { lines, sha: ls.sha256() };
}

describe('line reader', () => {
  it('splits lines identically at every chunk size (multi-byte chars across chunks, CRLF, BOM, no final newline)', async () => {
    const text = '\uFEFFä€𝄞 one\r\n\r\nzwei – drei\n最长的河流\nlast';
    const bytes = new TextEncoder().encode(text);
    const want = ['1:ä€𝄞 one', '2:', '3:zwei – drei', '4:最长的河流', '5:last'];
    for (let chunk = 1; chunk <= bytes.length + 1; chunk++) {
      const got = await collect(bytes, chunk);
      expect(got.lines, `chunk ${chunk}`).toEqual(want);
      expect(got.sha).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    const gz = gzipSync(bytes);
    expect((await collect(gz, 5, true)).lines).toEqual(want);
    expect((await collect(gz, 5, true)).sha).toBe(createHash('sha256').update(gz).digest('hex'));
  });

  it('SHA-256 matches node:crypto for any split of any input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.integer({ min: 1, max: 80 }), { maxLength: 10 }), (data, cuts) => {
        const h = new Sha256();
        let off = 0;
        for (const c of cuts) {
          h.update(data.subarray(off, off + c));
          off += c;
        }
        h.update(data.subarray(off));
        expect(h.hex()).toBe(createHash('sha256').update(data).digest('hex'));
      }),
      { numRuns: 300 },
    );
  });
});

describe('progress and cancellation', () => {
  it('reports monotonic progress ending at (size, size) and the shard hash of the stored bytes', async () => {
    const bytes = fixtureBytes('lareqa/mini.en.json');
    const seen: [number, number][] = [];
    const shard = await parseShard(shardSourceFromBytes('mini.en.json', bytes, 100), { onProgress: (r, t) => seen.push([r, t]) });
    expect(seen.at(-1)).toEqual([bytes.length, bytes.length]);
    for (let i = 1; i < seen.length; i++) expect(seen[i]![0]).toBeGreaterThanOrEqual(seen[i - 1]![0]);
    expect(shard.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('an aborted signal → cancelled, before or during reading', async () => {
    const ac = new AbortController();
    ac.abort();
    await expectLabError(parseShard(shardSourceFromBytes('de.json', fixtureBytes('lareqa/mini.de.json')), { signal: ac.signal }), 'cancelled', { file: 'de.json' });
    const lines = Array.from({ length: 5000 }, (_, i) => `{"docid":"${i}","title":"","text":"t"}`).join('\n');
    const mid = new AbortController();
    let calls = 0;
    const src = shardSourceFromBytes('miracl-corpus-v1.0-de-0.jsonl', lines, 1000);
    const original = src.stream.bind(src);
    // Abort once the parser has pulled a few chunks of its full pass.
    src.stream = () => {
      calls++;
      const s = original();
      if (calls < 3) return s;
      let n = 0;
      return s.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({ transform(c, ctl) { if (++n === 5) mid.abort(); ctl.enqueue(c); } }));
    };
    await expectLabError(parseShard(src, { signal: mid.signal }), 'cancelled', { file: 'miracl-corpus-v1.0-de-0.jsonl' });
  });
});

describe('detection', () => {
  it('reads the language from the usual file names', () => {
    const cases: [string, string | undefined][] = [
      ['de.json', 'de'],
      ['xquad-r-de.json', 'de'],
      ['mlqa-r.de.json', 'de'],
      ['XQUAD-R-ZH.JSON', 'zh'],
      ['data/xquad-r/tr.json', 'tr'],
      ['miracl-corpus-v1.0-de-0.jsonl.gz', 'de'],
      ['topics.miracl-v1.0-sw-dev.tsv', 'sw'],
      ['qrels.miracl-v1.0-ja-train.tsv', 'ja'],
      ['train-pairs.jsonl', undefined],
      ['qrels.txt', undefined],
    ];
    for (const [name, lang] of cases) expect(languageFromFileName(name), name).toBe(lang);
    expect(() => languageFromFileName('xquad-r-xx.json')).toThrow(/unknown language code in the file name "xx"/);
    // Hugging Face's Parquet layouts: the shard number's "of" is not a language; the folder names it.
    const hub: [string, string | undefined][] = [
      ['ar-corpus/test-00000-of-00001.parquet', 'ar'],
      ['de-queries/dev-00000-of-00003.parquet', 'de'],
      ['data/sw/corpus-00002-of-00010.parquet', 'sw'],
      ['qrels/fr-00000-of-00001.parquet', 'fr'],
      ['default/test-00000-of-00001.parquet', undefined],
    ];
    for (const [path, lang] of hub) expect(languageFromFileName(path.split('/').at(-1)!, path), path).toBe(lang);
    expect(languageName('de')).toBe('German');
    expect(languageName('zh')).toBe('Chinese');
  });

  it('detects every format from name and first bytes', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    const cases: [string, string, string][] = [
      ['de.json', '{"data": []}', 'lareqa'],
      ['whatever', '{\n "version": "1.1",\n "data": [', 'lareqa'],
      ['c.jsonl', '{"docid": "1", "title": "", "text": "x"}\n', 'miracl-corpus'],
      ['no-extension', '{"docid": "1", "title": "", "text": "x"}\n{"docid"', 'miracl-corpus'],
      ['p.jsonl', '{"group": "1", "lang": "de", "query": "q", "positive": "p"}', 'pairs'],
      ['topics.miracl-v1.0-de-dev.tsv', '1\tWas?\n', 'miracl-topics'],
      ['de-dev.tsv', '1\tWas?\n', 'miracl-topics'],
      ['qrels.miracl-v1.0-de-dev.tsv', '1 Q0 d 1\n', 'miracl-qrels'],
      ['judgments.trec', '1\tQ0\td\t1\n', 'miracl-qrels'],
      ['pairs.json', '{"group": "1", "lang": "de", "query": "q", "positive": "p"}\n{"group": "2"', 'pairs'],
      ['de.json', '{"data": [\n', 'lareqa'],
      ['run-judgments', '101 0 doc-7 2\n', 'miracl-qrels'],
    ];
    for (const [name, head, format] of cases) expect(detectShardFormat(name, enc(head)), name).toBe(format);
  });
});

describe('invalid-JSON locator', () => {
  it('agrees with JSON.parse on which texts are valid', () => {
    const tokens = ['{', '}', '[', ']', ',', ':', '"', 'a', '1', '-', '.', 'e', 'true', 'null', 'fals', ' ', '\n', '\\', '\\u00e9', '0', '"k"'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...tokens), { maxLength: 16 }), (parts) => {
        const s = parts.join('');
        let ok = true;
        try {
          JSON.parse(s);
        } catch {
          ok = false;
        }
        expect(locateJsonError(s) === undefined, JSON.stringify(s)).toBe(ok);
      }),
      { numRuns: 5000 },
    );
    fc.assert(fc.property(fc.jsonValue(), (v) => locateJsonError(JSON.stringify(v, null, 1)) === undefined), { numRuns: 500 });
  });
});
