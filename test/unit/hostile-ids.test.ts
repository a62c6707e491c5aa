/**
 * Ids and grades a careless or hostile file may hold. Checked where they are
 * parsed (file and line), and never able to change a number: ids such as
 * "constructor", "toString" or "__proto__" are ordinary ids everywhere.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseShard } from '../../src/core/dataset/parse-shard.ts';
import { shardSourceFromBytes } from '../../src/core/dataset/shard-source.ts';
import { buildDataset } from '../../src/core/dataset/build.ts';
import { evaluateRun } from '../../src/core/eval/run-eval.ts';
import { parseQrels, parseRun } from '../../src/core/eval/trec.ts';
import { evaluateDataset } from '../../src/core/eval/evaluate.ts';
import { denseModel } from '../../src/core/eval/scoring-model.ts';
import { idProblem } from '../../src/core/ids.ts';
import { isLabError } from '../../src/core/errors.ts';

const HOSTILE = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'prototype', 'length'];

async function parseError(name: string, text: string): Promise<string> {
  try {
    await parseShard(shardSourceFromBytes(name, text));
  } catch (e) {
    expect(isLabError(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error('parsed');
}

describe('ids are validated where they are parsed', () => {
  it('refuses whitespace, lone surrogates, U+FFFD and control characters, with file and line', async () => {
    expect(await parseError('corpus-de.jsonl', '{"docid":"d0","title":"","text":"a"}\n{"docid":"d 0","title":"","text":"b"}\n')).toMatch(/^corpus-de\.jsonl, line 2.*docid "d 0" contains whitespace/);
    expect(await parseError('corpus-de.jsonl', '{"docid":"d\\ud800","title":"","text":"b"}\n')).toMatch(/line 1.*lone UTF-16 surrogate/);
    expect(await parseError('corpus-de.jsonl', '{"docid":"d\\ufffd","title":"","text":"b"}\n')).toMatch(/U\+FFFD/);
    expect(await parseError('topics.miracl-v1.0-de-dev.tsv', '1\tWer?\nq\u00072\tWas?\n')).toMatch(/line 2.*control character/);
    expect(await parseError('qrels.miracl-v1.0-de-dev.tsv', '1 0 d\u00a00 1\n')).toMatch(/line 1.*whitespace|columns/);
    // Invalid UTF-8 bytes in an id decode to U+FFFD: refused, never collapsed into another id.
    const bytes = new Uint8Array([...new TextEncoder().encode('{"docid":"d'), 0xff, ...new TextEncoder().encode('","title":"","text":"b"}\n')]);
    expect(await parseShard(shardSourceFromBytes('corpus-de.jsonl', bytes)).catch((e: Error) => e.message)).toMatch(/U\+FFFD/);
  });

  it('refuses relevance grades that are not finite integers in range', async () => {
    expect(await parseError('qrels.miracl-v1.0-de-dev.tsv', `1 0 d0 1${'0'.repeat(400)}\n`)).toMatch(/line 1.*relevance "1000.*is not an integer from/);
    expect(() => parseQrels('q 0 d 1.5\n', 'q.trec')).toThrow(/q\.trec, line 1: relevance "1\.5"/);
    expect(() => parseQrels('q 0 d 99999999999\n', 'q.trec')).toThrow(/not an integer from -2147483648 to 2147483647/);
    expect(() => parseRun('q Q0 d\u2028x 1 1 t\n', 'r.trec')).toThrow(/r\.trec, line 1/);
  });

  it('accepts every id that can be written to a TREC line and read back as the same id (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }), (id) => {
      if (idProblem(id) !== undefined) return;
      const back = parseQrels(`${id} 0 ${id} 1\n`, 'q');
      expect(Object.keys(back)).toEqual([id]);
      expect(Object.keys(back[id]!)).toEqual([id]);
    }), { numRuns: 500 });
  });
});

describe('ids that are Object.prototype names are ordinary ids', () => {
  it('lab metrics gives the same numbers with hostile qids and docids as with plain ones (property)', () => {
    const ids = fc.constantFrom(...HOSTILE, 'q1', 'q2', 'd1', 'd2', 'd3');
    const rows = fc.array(fc.record({ qid: ids, docid: ids, rel: fc.integer({ min: 0, max: 3 }), score: fc.integer({ min: 0, max: 5 }) }), { minLength: 1, maxLength: 25 });
    fc.assert(fc.property(rows, (rs) => {
      const plain = new Map<string, string>();
      const rename = (s: string) => { if (!plain.has(s)) plain.set(s, `id${plain.size}`); return plain.get(s)!; };
      const uniq = [...new Map(rs.map((r) => [`${r.qid} ${r.docid}`, r])).values()];
      const text = (f: (s: string) => string) => ({
        qrels: uniq.map((r) => `${f(r.qid)} 0 ${f(r.docid)} ${r.rel}`).join('\n') + '\n',
        // Distinct scores: renaming ids must not meet the tie rule (docid order), only the lookups.
        run: uniq.map((r, i) => `${f(r.qid)} Q0 ${f(r.docid)} ${i + 1} ${r.score * 100 + i} t`).join('\n') + '\n',
      });
      const a = text((s) => s);
      const b = text(rename);
      const ea = evaluateRun(parseQrels(a.qrels), parseRun(a.run));
      const eb = evaluateRun(parseQrels(b.qrels), parseRun(b.run));
      // Same queries, same per-query numbers; the mean may differ in the last bit (queries are summed in id order).
      expect(ea.summary.num_q).toBe(eb.summary.num_q);
      for (const k of ['map', 'ndcg_cut_10', 'recall_100', 'recip_rank_10'] as const) expect(ea.summary[k]).toBeCloseTo(eb.summary[k], 12);
      expect([ea.noRelevant, ea.missingFromRun, ea.notInQrels]).toEqual([eb.noRelevant, eb.missingFromRun, eb.notInQrels]);
    }), { numRuns: 300 });
  });

  it('constructor and toString as qids are judged queries, not dropped (map over 3 queries)', () => {
    const qrels = parseQrels('constructor 0 a 1\ntoString 0 b 1\n__proto__ 0 c 1\n');
    const run = parseRun('constructor Q0 a 1 3 t\ntoString Q0 x 1 3 t\ntoString Q0 b 2 1 t\n__proto__ Q0 y 1 1 t\n');
    const e = evaluateRun(qrels, run);
    expect(e.summary.num_q).toBe(3);
    expect(e.summary.map).toBeCloseTo((1 + 0.5 + 0) / 3, 12);
  });

  it('a MIRACL dataset whose qids and docids are prototype names evaluates like one with plain ids', async () => {
    const make = async (q: string[], d: string[]) => buildDataset([
      await parseShard(shardSourceFromBytes('miracl-corpus-v1.0-de-0.jsonl', d.map((id, i) => JSON.stringify({ docid: id, title: '', text: `t${i}` })).join('\n') + '\n')),
      await parseShard(shardSourceFromBytes('topics.miracl-v1.0-de-dev.tsv', q.map((id, i) => `${id}\tquery ${i}`).join('\n') + '\n')),
      await parseShard(shardSourceFromBytes('qrels.miracl-v1.0-de-dev.tsv', q.map((id, i) => `${id} 0 ${d[i]} 1`).join('\n') + '\n')),
    ]);
    const hostile = await make(['constructor', '__proto__', 'toString'], ['valueOf', 'hasOwnProperty', '__proto__']);
    const plain = await make(['q0', 'q1', 'q2'], ['d0', 'd1', 'd2']);
    // Structured clone (IndexedDB, a worker) gives the qrels back with Object.prototype: still the same numbers.
    const cloned = structuredClone(hostile);
    const emb = (rows: number) => ({ rows, dim: 2, data: Float32Array.from({ length: rows * 2 }, (_, i) => ((i * 7) % 5) - 2) });
    const score = async (ds: typeof plain) => (await evaluateDataset(ds, denseModel('m', emb(3), emb(3)))).settings.mono!.pairs['de-de'];
    expect(await score(hostile)).toEqual(await score(plain));
    expect(await score(cloned)).toEqual(await score(plain));
  });
});

describe('LAReQA sentence breaks decide relevance, so they are checked', () => {
  const doc = (breaks: number[][], sentences = ['Aaa.', 'Bbb.'], context = 'Aaa. Bbb.', start = 5) => JSON.stringify({
    data: [{ paragraphs: [{ context, sentences, sentence_breaks: breaks, qas: [{ id: 'q1', question: 'Wer?', answers: [{ text: 'B', answer_start: start }] }] }] }],
  });
  it('refuses breaks out of order, overlapping, outside the context or not covering their sentence', async () => {
    expect(await parseError('de.json', doc([[5, 9], [0, 4]]))).toMatch(/sentence_breaks\[1\]: break \[0, 4\) starts before the previous one ends/);
    expect(await parseError('de.json', doc([[0, 4], [3, 7]], ['Aaa.', 'a. B'], 'Aaa. Bbb.', 1))).toMatch(/sentence_breaks\[1\].*starts before the previous one ends/);
    expect(await parseError('de.json', doc([[0, 4], [5, 12]]))).toMatch(/ends after the 9-character context/);
    expect(await parseError('de.json', doc([[0, 2], [5, 9]]))).toMatch(/sentence_breaks\[0\]: break \[0, 2\) covers 2 characters of the context, but sentence 0 has 4/);
    const ok = await parseShard(shardSourceFromBytes('de.json', doc([[0, 4], [5, 9]])));
    expect(ok.format === 'lareqa' && ok.answers.q1).toBe('de/0/0/1');
  });
});
