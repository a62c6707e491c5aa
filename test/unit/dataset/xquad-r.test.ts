/**
 * The real XQuAD-R files against ../shared/data/README.md's published table
 * and against an independent Python reading (make-xquad-r-expected.py).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDatasetFromPaths } from '../../../src/cli/load-files.ts';
import { datasetStats } from '../../../src/core/dataset/stats.ts';
import type { Dataset } from '../../../src/core/dataset/types.ts';
import { fixture, XQUAD_LANGS, XQUAD_R } from './helpers.ts';

// ../shared/data/README.md, verbatim.
const PUBLISHED_CANDIDATES: Record<string, number> = {
  ar: 1222, de: 1276, el: 1234, en: 1180, es: 1215, hi: 1244, ru: 1219, th: 852, tr: 1167, vi: 1209, zh: 1196,
};

interface Expected {
  counts: Record<string, { queries: number; candidates: number }>;
  qrelsLines: number;
  qrelsSha256: string;
  passagesSha256: Record<string, string>;
  samples: Record<string, string[]>;
}
const expected = JSON.parse(readFileSync(fixture('xquad-r-expected.json'), 'utf8')) as Expected;

describe('XQuAD-R (real files)', () => {
  let ds: Dataset;
  beforeAll(async () => {
    ds = await loadDatasetFromPaths(XQUAD_LANGS.map((l) => `${XQUAD_R}${l}.json`));
  });

  it('loads the same from the folder (LICENSE skipped)', async () => {
    const fromDir = await loadDatasetFromPaths([XQUAD_R]);
    expect(fromDir.name).toBe('xquad-r');
    expect(fromDir.passages.length).toBe(ds.passages.length);
    expect(fromDir.queries.map((q) => q.id)).toEqual(ds.queries.map((q) => q.id));
  });

  it('reproduces the published table exactly', () => {
    const stats = datasetStats(ds);
    expect(stats.languages).toEqual([...XQUAD_LANGS]);
    expect(stats.queries).toEqual(Object.fromEntries(XQUAD_LANGS.map((l) => [l, 1190])));
    expect(stats.candidates).toEqual(PUBLISHED_CANDIDATES);
    expect(Object.values(stats.candidates).reduce((a, b) => a + b, 0)).toBe(13_014);
    expect(Object.values(stats.queries).reduce((a, b) => a + b, 0)).toBe(13_090);
    expect(ds.passages).toHaveLength(13_014);
    expect(stats.relevantPerQuery).toEqual({ min: 11, mean: 11, max: 11 });
    expect(stats.errors).toEqual([]);
    expect(ds.name).toBe('xquad-r');
    expect(ds.format).toBe('lareqa');
  });

  it('every question has exactly one relevant sentence per language', () => {
    const wrong = ds.queries.filter((q) => {
      const rel = Object.keys(ds.qrels[q.id] ?? {});
      const langs = new Set(rel.map((id) => id.split('/')[0]));
      return rel.length !== 11 || langs.size !== 11 || !XQUAD_LANGS.every((l) => langs.has(l));
    });
    expect(wrong.map((q) => q.id)).toEqual([]);
    expect(ds.queries).toHaveLength(13_090);
  });

  it('uses canonical ids and agrees with the independent Python reading', () => {
    const q = ds.queries.find((x) => x.id === 'de/56beb4343aeaaa14008c925b');
    expect(q).toMatchObject({ lang: 'de', group: '56beb4343aeaaa14008c925b', text: 'Wie viele Punkte gab die Verteidigung der Panthers ab?' });
    for (const [qid, rel] of Object.entries(expected.samples)) {
      expect(Object.keys(ds.qrels[qid]!).sort()).toEqual(rel);
    }
    const lines = ds.queries.flatMap((x) => Object.keys(ds.qrels[x.id]!).map((pid) => `${x.id}\t${pid}`)).sort();
    expect(lines).toHaveLength(expected.qrelsLines);
    expect(createHash('sha256').update(lines.map((l) => `${l}\n`).join('')).digest('hex')).toBe(expected.qrelsSha256);
    for (const lang of XQUAD_LANGS) {
      const h = createHash('sha256');
      for (const p of ds.passages) if (p.lang === lang) h.update(`${p.id}\t${p.text}\n`);
      expect(h.digest('hex'), lang).toBe(expected.passagesSha256[lang]);
      expect(ds.passages.filter((p) => p.lang === lang)).toHaveLength(expected.counts[lang]!.candidates);
    }
    // Passages carry their article as the split unit.
    expect(ds.passages[0]).toMatchObject({ id: 'ar/0/0/0', lang: 'ar', group: '0' });
    expect(new Set(ds.passages.map((p) => p.group)).size).toBe(48);
  });

  it('is plain data: survives structuredClone and JSON unchanged', () => {
    const small = { ...ds, passages: ds.passages.slice(0, 50), queries: ds.queries.slice(0, 50) };
    expect(structuredClone(small)).toEqual(small);
    expect(JSON.parse(JSON.stringify(small))).toEqual(small);
  });
});
