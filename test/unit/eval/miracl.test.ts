/**
 * MIRACL protocol on a small synthetic corpus: per-language pools, qids and
 * docids written as given, judged docids missing from the corpus count as
 * relevant-but-not-retrieved, and with `--depth all` the exported run gives
 * trec_eval numbers identical to the results object.
 */
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../../src/core/dataset/types.ts';
import { bm25Model } from '../../../src/core/bm25/search.ts';
import { evaluateDataset, settingQrels } from '../../../src/core/eval/evaluate.ts';
import { evaluateRun } from '../../../src/core/eval/run-eval.ts';
import { formatQrelsLines, formatRunLines, parseQrels, parseRun } from '../../../src/core/eval/trec.ts';
import { isLabError } from '../../../src/core/errors.ts';

const ds: Dataset = {
  name: 'mini-miracl',
  format: 'miracl',
  languages: ['de', 'en'],
  queries: [
    { id: '1', lang: 'en', text: 'red apple pie', group: '1' },
    { id: '2', lang: 'en', text: 'green tea', group: '2' },
    { id: '3', lang: 'en', text: 'nothing judged', group: '3' },
    { id: '10', lang: 'de', text: 'roter Apfel', group: '10' },
  ],
  passages: [
    { id: '100#0', lang: 'en', title: 'Apple pie', text: 'A pie made with red apple.' },
    { id: '100#1', lang: 'en', title: 'Apple pie', text: 'Served warm.' },
    { id: '200#0', lang: 'en', title: 'Tea', text: 'Green tea is a tea.' },
    { id: '300#0', lang: 'en', title: 'Cars', text: 'A red car.' },
    { id: '900#0', lang: 'de', title: 'Apfel', text: 'Der rote Apfel.' },
    { id: '901#0', lang: 'de', title: 'Tee', text: 'Grüner Tee.' },
  ],
  qrels: {
    '1': { '100#0': 1, '100#1': 1, '300#0': 0 },
    '2': { '200#0': 1, '555#0': 1 }, // 555#0 is not in the corpus
    '3': { '300#0': 0 },
    '10': { '900#0': 1 },
  },
  pairs: [],
  diagnostics: [],
};

describe('MIRACL evaluation', () => {
  it('evaluates each language against its own corpus and matches trec_eval on the full exported run', async () => {
    let run = '';
    const res = await evaluateDataset(ds, bm25Model(), {
      run: { setting: 'mono', depth: 'all', write: (qid, ids, scores) => (run += formatRunLines(qid, ids, scores, 'polyglot-lab.bm25.mono')) },
    });
    expect(Object.keys(res.settings)).toEqual(['mono']);
    expect(res.languageBias).toBeUndefined();
    const en = res.settings.mono!.pairs['en-en']!;
    const de = res.settings.mono!.pairs['de-de']!;
    expect([en.num_q, en.num_skipped, de.num_q]).toEqual([2, 1, 1]);
    // Query 2: 200#0 first, 555#0 never retrieved: recall 1/2, AP 1/2.
    // Query 1: both relevant passages before the unrelated ones: AP 1.
    expect(en.map).toBeCloseTo((1 + 0.5) / 2, 12);
    expect(en.recall_100).toBeCloseTo((1 + 0.5) / 2, 12);
    expect(de.map).toBe(1);
    // German queries only see German passages, English only English.
    const parsed = parseRun(run, 'run');
    expect(parsed.get('10')!.docids.sort()).toEqual(['900#0', '901#0']);
    expect(parsed.get('1')!.docids).toHaveLength(4);
    const ev = evaluateRun(parseQrels(formatQrelsLines(settingQrels(ds, 'mono')), 'qrels'), parsed);
    // trec_eval -c also counts the en query whose judgments are all 0 (as 0); the app leaves it out and counts it in
    // num_skipped (METRICS.md), so the run file's mean is over 4 queries.
    expect(ev.summary.num_q).toBe(4);
    expect(ev.noRelevant).toBe(1);
    const micro = (k: 'map' | 'ndcg_cut_10' | 'recall_100' | 'recip_rank_10') => (2 * en[k] + de[k] + 0) / 4;
    for (const k of ['map', 'ndcg_cut_10', 'recall_100', 'recip_rank_10'] as const) expect(ev.summary[k]).toBeCloseTo(micro(k), 12);
  });

  it('has no cross or multilingual setting', async () => {
    const e = await evaluateDataset(ds, bm25Model(), { run: { setting: 'cross', depth: 10, write: () => {} } }).catch((x: unknown) => x);
    expect(isLabError(e) && e.code === 'invalid-argument').toBe(true);
  });
});
