import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LabTokenizer } from '../../../src/core/tokenize/tokenizer.ts';
import { allRows, padBatch, remapIds } from '../../../src/core/tokenize/batch.ts';
import { LabError } from '../../../src/core/errors.ts';
import { memoryProvider } from '../../../src/core/hub/model-files.ts';

// Real mBERT tokenizer; expected ids from an independent Python WordPiece over vocab.txt (make_golden.py).
const TOK_DIR = new URL('../../../../shared/models/mbert-cased-tokenizer/', import.meta.url);
const golden = JSON.parse(readFileSync(new URL('../../fixtures/tokenize/mbert-golden.json', import.meta.url), 'utf8')) as {
  cls: number; sep: number; pad: number; unk: number; sentences: { lang: string; text: string; ids: number[] }[];
};

let tok: LabTokenizer;
beforeAll(async () => {
  tok = await LabTokenizer.fromSource({ tokenizerJson: readFileSync(new URL('tokenizer.json', TOK_DIR)) });
});

describe('mBERT tokenizer (real tokenizer.json)', () => {
  it('knows its specials, padding and vocabulary', () => {
    expect(tok.prefixIds).toEqual([golden.cls]);
    expect(tok.suffixIds).toEqual([golden.sep]);
    expect(tok.padId).toBe(golden.pad);
    expect(tok.unkId).toBe(golden.unk);
    expect(tok.vocabSize).toBe(119547);
    expect(tok.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('matches an independent WordPiece on real multilingual sentences (12 languages)', () => {
    expect(golden.sentences.length).toBeGreaterThan(20);
    for (const s of golden.sentences) {
      expect({ lang: s.lang, text: s.text, ids: tok.encode(s.text, { maxLength: 512 }) })
        .toEqual({ lang: s.lang, text: s.text, ids: [golden.cls, ...s.ids, golden.sep] });
    }
  });

  it('truncates the content and keeps [CLS] first and [SEP] last', () => {
    const long = golden.sentences.find((s) => s.ids.length > 100)!;
    for (const max of [3, 8, 16, 64]) {
      const ids = tok.encode(long.text, { maxLength: max });
      expect(ids).toEqual([golden.cls, ...long.ids.slice(0, max - 2), golden.sep]);
    }
    // Short texts are not padded by encode.
    expect(tok.encode('Hallo', { maxLength: 64 }).length).toBeLessThan(10);
  });

  it('applies the prefix before tokenizing (e5 "query: " / "passage: ")', () => {
    const q = golden.sentences.find((s) => s.text === 'query: who wrote Faust?')!;
    expect(tok.encode('who wrote Faust?', { maxLength: 32, prefix: 'query: ' })).toEqual([golden.cls, ...q.ids, golden.sep]);
    const p = tok.encode('who wrote Faust?', { maxLength: 32, prefix: 'passage: ' });
    expect(p).not.toEqual(tok.encode('who wrote Faust?', { maxLength: 32, prefix: 'query: ' }));
    // The prefix counts against the length budget, like sentence-transformers does.
    expect(tok.encode('who wrote Faust?', { maxLength: 4, prefix: 'query: ' })).toEqual([golden.cls, ...q.ids.slice(0, 2), golden.sep]);
  });

  it('batched equals one by one, and padding masks exactly the padding', () => {
    const texts = golden.sentences.map((s) => s.text);
    const ragged = tok.encodeBatch(texts, { maxLength: 24 });
    expect(ragged.offsets.length).toBe(texts.length + 1);
    texts.forEach((t, i) => {
      expect(Array.from(ragged.ids.subarray(ragged.offsets[i], ragged.offsets[i + 1]))).toEqual(tok.encode(t, { maxLength: 24 }));
    });
    const rows = allRows(ragged);
    const b = padBatch(ragged, rows, tok.padId);
    expect(b.seqLen).toBe(24);
    expect(b.batchSize).toBe(texts.length);
    texts.forEach((t, i) => {
      const single = tok.encode(t, { maxLength: 24 });
      const row = Array.from(b.inputIds.subarray(i * 24, (i + 1) * 24));
      const mask = Array.from(b.attentionMask.subarray(i * 24, (i + 1) * 24));
      expect(row).toEqual([...single, ...Array(24 - single.length).fill(golden.pad)]);
      expect(mask).toEqual([...Array(single.length).fill(1), ...Array(24 - single.length).fill(0)]);
      expect(row[single.length - 1]).toBe(golden.sep);
    });
    // A fixed pad length, and a subset of rows in any order.
    const fixed = padBatch(ragged, [3, 0], tok.padId, 30);
    expect(fixed.seqLen).toBe(30);
    expect(Array.from(fixed.inputIds.subarray(30, 60))).toEqual([...tok.encode(texts[0]!, { maxLength: 24 }), ...Array(30 - tok.encode(texts[0]!, { maxLength: 24 }).length).fill(0)]);
    expect(() => padBatch(ragged, [0], tok.padId, 1)).toThrow(LabError);
    expect(() => padBatch(ragged, [texts.length], tok.padId)).toThrow(LabError);
  });

  it('always fits the length and wraps in specials, for any text (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200, unit: 'binary' }), fc.integer({ min: 3, max: 40 }), (text, max) => {
      const ids = tok.encode(text, { maxLength: max });
      expect(ids.length).toBeLessThanOrEqual(max);
      expect(ids[0]).toBe(golden.cls);
      expect(ids.at(-1)).toBe(golden.sep);
      expect(ids.slice(1, -1)).not.toContain(golden.sep);
    }), { numRuns: 200 });
  });

  it('rejects a max length with no room for text', () => {
    expect(() => tok.encode('x', { maxLength: 2 })).toThrow(/max length 2 leaves no room/);
    expect(() => tok.encodeBatch(['x'], { maxLength: 1.5 })).toThrow(LabError);
  });

  it('remaps ids for a trimmed vocabulary, unknown for dropped ones', () => {
    const ragged = tok.encodeBatch(['Hallo Welt', 'hello'], { maxLength: 16 });
    const keep = [...new Set([golden.pad, golden.unk, golden.cls, golden.sep, ...tok.encode('Hallo Welt', { maxLength: 16 })])].sort((a, b) => a - b);
    const map = new Int32Array(tok.vocabSize).fill(-1);
    keep.forEach((old, nw) => { map[old] = nw; });
    const r = remapIds(ragged, { remap: map, unkId: map[tok.unkId]! });
    const first = Array.from(r.ids.subarray(r.offsets[0], r.offsets[1]));
    expect(first.map((n) => keep[n])).toEqual(tok.encode('Hallo Welt', { maxLength: 16 }));
    const second = Array.from(r.ids.subarray(r.offsets[1], r.offsets[2]));
    const unkNew = keep.indexOf(golden.unk);
    expect(second[0]).toBe(keep.indexOf(golden.cls));
    expect(second.slice(1, -1).every((n) => n === unkNew || keep[n] !== undefined)).toBe(true);
    expect(second.slice(1, -1)).toContain(unkNew); // "hello" is not in the kept set
  });
});

describe('tokenizer loading errors', () => {
  it('names the file for missing or broken tokenizer files', async () => {
    await expect(LabTokenizer.fromProvider(memoryProvider(new Map()))).rejects.toMatchObject({ code: 'tokenizer', location: { file: 'tokenizer.json' } });
    await expect(LabTokenizer.fromSource({ tokenizerJson: new TextEncoder().encode('{"model": ') })).rejects.toMatchObject({ code: 'tokenizer', location: { file: 'tokenizer.json' } });
    await expect(LabTokenizer.fromSource({ tokenizerJson: new TextEncoder().encode('[1]') })).rejects.toMatchObject({ code: 'tokenizer' });
    await expect(LabTokenizer.fromSource({ tokenizerJson: new TextEncoder().encode('{}') })).rejects.toMatchObject({ code: 'tokenizer', location: { path: 'model' } });
    const json = readFileSync(new URL('tokenizer.json', TOK_DIR));
    await expect(LabTokenizer.fromSource({ tokenizerJson: json, tokenizerConfig: new TextEncoder().encode('nope') })).rejects.toMatchObject({ code: 'tokenizer', location: { file: 'tokenizer_config.json' } });
  });

  it('reads tokenizer_config.json (class, model_max_length) and hashes both files', async () => {
    const json = readFileSync(new URL('tokenizer.json', TOK_DIR));
    const cfg = new TextEncoder().encode(JSON.stringify({ tokenizer_class: 'BertTokenizerFast', model_max_length: 512 }));
    const t = await LabTokenizer.fromSource({ tokenizerJson: json, tokenizerConfig: cfg });
    expect(t.modelMaxLength).toBe(512);
    expect(t.hash).not.toBe(tok.hash);
    expect(t.encode('Grüße aus Köln', { maxLength: 32 })).toEqual(tok.encode('Grüße aus Köln', { maxLength: 32 }));
  });
});
