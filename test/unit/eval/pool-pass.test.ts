import { describe, expect, it } from 'vitest';
import { runPoolPass } from '../../../src/core/eval/pool-pass.ts';
import type { RowScorer } from '../../../src/core/eval/scorer.ts';
import { isLabError } from '../../../src/core/errors.ts';

/** A scorer over a 100k-candidate pool that records the row blocks it is asked for. */
function recordingScorer(numQueries: number, numCandidates: number, blocks: [number, number][]): RowScorer {
  return {
    name: 'fake',
    numQueries,
    numCandidates,
    async scoreRows(q0, q1) {
      blocks.push([q0, q1]);
      const out = new Float32Array((q1 - q0) * numCandidates);
      for (let q = q0; q < q1; q++) out[(q - q0) * numCandidates + (q % numCandidates)] = 1;
      return out;
    },
    dispose() {},
  };
}

describe('pool pass', () => {
  it('never asks for more than the block budget of scores (100k-passage pool)', async () => {
    const N = 100_000;
    const blocks: [number, number][] = [];
    const ids = Array.from({ length: N }, (_, i) => `d${i}`);
    const ranks: number[] = [];
    await runPoolPass({
      scorer: recordingScorer(200, N, blocks),
      pool: { ids, segments: new Int32Array(N), numSegments: 1 },
      judgments: (q) => ({ candidates: Int32Array.of(q % N, (q + 1) % N), rels: Float64Array.of(1, 1) }),
      onQuery: (r) => ranks.push(r.poolRanks[0]!, r.poolRanks[1]!),
    });
    expect(Math.max(...blocks.map(([a, b]) => (b - a) * N))).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(blocks[blocks.length - 1]![1]).toBe(200);
    // The scored document is first; the other relevant one ties at 0 with 99,999 others and sits among them by docid.
    expect(ranks[0]).toBe(1);
    expect(ranks[1]).toBeGreaterThan(1);
  });

  it('stops with a cancelled LabError when its signal aborts', async () => {
    const ac = new AbortController();
    ac.abort();
    const e = await runPoolPass({
      scorer: recordingScorer(10, 5, []),
      pool: { ids: ['a', 'b', 'c', 'd', 'e'], segments: new Int32Array(5), numSegments: 1 },
      judgments: () => ({ candidates: new Int32Array(0), rels: new Float64Array(0) }),
      onQuery: () => {},
      signal: ac.signal,
    }).catch((x: unknown) => x);
    expect(isLabError(e) && e.code === 'cancelled').toBe(true);
  });

  it('receives an abort that arrives as a later event-loop task (a worker cancel message) mid-run', async () => {
    // The scorer answers synchronously, as BM25 and the CPU scorer do: without a
    // macrotask turn between blocks the abort below would only run after the pass.
    const N = 100_000;
    const blocks: [number, number][] = [];
    const ac = new AbortController();
    const inner = recordingScorer(2000, N, blocks);
    // The user presses Cancel while the first block is being scored.
    const scorer: RowScorer = { ...inner, scoreRows: (q0, q1) => { if (blocks.length === 0) setTimeout(() => ac.abort(), 0); return inner.scoreRows(q0, q1); } };
    const e = await runPoolPass({
      scorer,
      pool: { ids: Array.from({ length: N }, (_, i) => `d${i}`), segments: new Int32Array(N), numSegments: 1 },
      judgments: () => ({ candidates: new Int32Array(0), rels: new Float64Array(0) }),
      onQuery: () => {},
      signal: ac.signal,
    }).catch((x: unknown) => x);
    expect(isLabError(e) && e.code === 'cancelled').toBe(true);
    expect(blocks.length).toBe(1); // stopped at the next block boundary, not after all of them
    expect(blocks[0]![1]).toBeLessThan(2000);
  });

  it('rejects duplicate candidate ids', async () => {
    const e = await runPoolPass({
      scorer: recordingScorer(1, 3, []),
      pool: { ids: ['a', 'b', 'a'], segments: new Int32Array(3), numSegments: 1 },
      judgments: () => ({ candidates: new Int32Array(0), rels: new Float64Array(0) }),
      onQuery: () => {},
    }).catch((x: unknown) => x);
    expect(isLabError(e) && e.code === 'duplicate-id').toBe(true);
  });
});
