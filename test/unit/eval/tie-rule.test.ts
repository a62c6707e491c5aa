import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareDocIds, docIdTieKeys, rankIndices, ranksBefore } from '../../../src/core/eval/tie-rule.ts';
import { judgedRanks, selectTop } from '../../../src/core/eval/pool-pass.ts';

/** UTF-8 byte order, i.e. trec_eval's strcmp. */
function strcmp(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

describe('tie rule', () => {
  it('compares ids like strcmp on UTF-8 (code points), not UTF-16 units', () => {
    expect(Math.sign(compareDocIds('\uffff', '😀'))).toBe(-1); // U+FFFF < U+1F600, though 0xFFFF > 0xD83D
    expect(Math.sign(compareDocIds('p10', 'p9'))).toBe(-1);
    expect(compareDocIds('a', 'a')).toBe(0);
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        expect(Math.sign(compareDocIds(a, b))).toBe(Math.sign(strcmp(a, b)));
      }),
    );
  });

  it('ranks by score desc, then docid desc', () => {
    const ids = ['b', 'a', 'c', 'd'];
    const keys = docIdTieKeys(ids);
    const order = rankIndices([0.5, 0.5, 0.5, 0.9], keys);
    expect(Array.from(order, (i) => ids[i])).toEqual(['d', 'c', 'b', 'a']);
    expect(ranksBefore(1, 0, 1, 1)).toBe(false);
    expect(ranksBefore(1, 1, 1, 0)).toBe(true);
  });

  it('selectTop and judgedRanks agree with a full sort, ties included', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 3 }),
        (ints, depth, G) => {
          const n = ints.length;
          const ids = ints.map((_, i) => `d${(i * 7919) % 1000}-${i}`);
          const keys = docIdTieKeys(ids);
          const row = Float64Array.from(ints);
          const segments = Int32Array.from(ints, (_, i) => i % G);
          const full = rankIndices(row, keys);
          expect(Array.from(selectTop(row, keys, null, depth))).toEqual(Array.from(full.slice(0, depth)));
          const seg0 = Int32Array.from(full.filter((i) => segments[i] === 0).sort((a, b) => a - b));
          const segFull = Array.from(full).filter((i) => segments[i] === 0);
          expect(Array.from(selectTop(row, keys, seg0, depth))).toEqual(segFull.slice(0, depth));
          const judged = Int32Array.from(new Set([0, Math.floor(n / 2), n - 1]));
          const { poolRanks, segmentRanks } = judgedRanks(row, keys, segments, G, { candidates: judged, rels: new Float64Array(judged.length).fill(1) });
          judged.forEach((c, j) => {
            expect(poolRanks[j]).toBe(full.indexOf(c) + 1);
            const own = Array.from(full).filter((i) => segments[i] === segments[c]);
            expect(segmentRanks[j]).toBe(own.indexOf(c) + 1);
          });
        },
      ),
    );
  });
});
