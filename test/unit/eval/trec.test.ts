import { describe, expect, it } from 'vitest';
import { isLabError, type LabError } from '../../../src/core/errors.ts';
import { evaluateRun } from '../../../src/core/eval/run-eval.ts';
import { formatQrelsLines, formatRunLines, parseQrels, parseRun } from '../../../src/core/eval/trec.ts';
import { loadGolden } from './golden-fixture.ts';

interface GoldenTrec {
  run: string;
  qrels: string;
  summary: Record<string, number>;
  perQuery: Record<string, Record<string, number>>;
}
const trec = (loadGolden() as unknown as { trec: GoldenTrec }).trec;

function labError(f: () => unknown): LabError {
  try {
    f();
  } catch (e) {
    if (isLabError(e)) return e;
    throw e;
  }
  throw new Error('expected a LabError');
}

describe('TREC files', () => {
  it('trec_eval measures of a shuffled, truncated run with ties match the independent Python computation', () => {
    const ev = evaluateRun(parseQrels(trec.qrels, 'golden.qrels'), parseRun(trec.run, 'golden.run'));
    expect(ev.summary.num_q).toBe(trec.summary.num_q);
    for (const k of ['map', 'ndcg_cut_10', 'recall_100', 'recip_rank_10'] as const) expect(ev.summary[k]).toBeCloseTo(trec.summary[k]!, 12);
    for (const [qid, exp] of Object.entries(trec.perQuery)) {
      for (const [k, v] of Object.entries(exp)) expect(ev.perQuery[qid]![k as 'map'], `${qid} ${k}`).toBeCloseTo(v, 12);
    }
    expect(ev.missingFromRun).toBe(1); // q7
    expect(ev.notInQrels).toBe(1); // extra
    expect(ev.noRelevant).toBe(1); // q5: judged, nothing relevant: counted as 0, as trec_eval does
  });

  it('round-trips what it writes', () => {
    const text =
      formatRunLines('q1', ['b', 'a', 'c'], [0.5, 0.5, 0.25], 'polyglot-lab.test.multi') + formatRunLines('q2', ['x'], [1e-7], 't');
    const run = parseRun(text, 'r.trec');
    expect(run.get('q1')).toEqual({ docids: ['b', 'a', 'c'], scores: [0.5, 0.5, 0.25] });
    expect(run.get('q2')!.scores[0]).toBe(1e-7);
    const qrels = parseQrels(formatQrelsLines([{ qid: 'q1', docid: 'a', rel: 1 }, { qid: 'q1', docid: 'c', rel: 0 }]), 'q.trec');
    expect(qrels).toEqual({ q1: { a: 1, c: 0 } });
    // a ties with b and loses (docid desc): rank 2.
    const ev = evaluateRun(qrels, run);
    expect(ev.summary).toEqual({ map: 0.5, ndcg_cut_10: 1 / Math.log2(3), recall_100: 1, recip_rank_10: 0.5, num_q: 1 });
  });

  it('says which file and line is wrong', () => {
    const e1 = labError(() => parseRun('q1 Q0 d1 1 0.5 tag\nq1 Q0 d2 2 0.4\n', 'my.run'));
    expect(e1.code).toBe('run-format');
    expect(e1.location).toEqual({ file: 'my.run', line: 2 });
    expect(e1.message).toMatch(/my\.run, line 2: run line has 5 columns/);
    expect(labError(() => parseRun('q1 Q0 d1 1 high tag\n', 'my.run')).code).toBe('run-format');
    const dup = labError(() => parseRun('q1 Q0 d1 1 0.5 t\nq2 Q0 d1 1 0.5 t\nq1 Q0 d1 2 0.4 t\n', 'my.run'));
    expect(dup.code).toBe('duplicate-id');
    expect(dup.location.line).toBe(3);
    const q = labError(() => parseQrels('q1 0 d1 1\nq1 d2 1\n', 'my.qrels'));
    expect(q.code).toBe('qrels-columns');
    expect(q.location).toEqual({ file: 'my.qrels', line: 2 });
    expect(labError(() => parseQrels('q1 0 d1 yes\n', 'my.qrels')).code).toBe('wrong-type');
    expect(labError(() => parseQrels('\n\n', 'my.qrels')).code).toBe('empty-file');
    expect(labError(() => formatRunLines('has space', ['d'], [1], 't')).code).toBe('invalid-argument');
  });
});
