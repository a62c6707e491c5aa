/** Results and comparisons in the formats people paste elsewhere: CSV (formula-safe), Markdown and LaTeX tables. */
import { describe, expect, it } from 'vitest';
import { bm25Model } from '../../../src/core/bm25/search.ts';
import { evaluateDataset } from '../../../src/core/eval/evaluate.ts';
import { resultsToCsv } from '../../../src/core/eval/results-csv.ts';
import { compareResults } from '../../../src/core/eval/compare.ts';
import { macroTableLatex, macroTableMarkdown } from '../../../src/ui/lab/compare-view.ts';
import { toyDataset } from '../store/helpers.ts';

describe('exports', () => {
  it('CSV: one row per pair with every measure, rank distance on the multilingual rows, formulas defused', async () => {
    const r = await evaluateDataset(toyDataset().dataset, bm25Model());
    r.description.model = '=HYPERLINK("x")';
    const lines = resultsToCsv(r).trim().split('\n');
    expect(lines[0]).toBe('model,dataset,setting,query_lang,candidate_lang,map,ndcg_cut_10,recall_1,recall_10,recall_100,recip_rank_10,success_1,success_10,success_100,num_q,num_skipped,rank_distance');
    expect(lines).toHaveLength(1 + 2 + 2 + 2);
    const deEn = lines.find((l) => l.includes(',cross,de,en,'))!;
    expect(deEn.startsWith(`"'=HYPERLINK(""x"")"`)).toBe(true);
    expect(deEn.split(',').at(5)).toBe(String(r.settings.cross!.pairs['de-en']!.map));
    const multi = lines.find((l) => l.includes(',multi,de,all,'))!;
    expect(multi.split(',').at(-1)).toBe(String(r.languageBias!.byQueryLang.de));
  });

  it('comparison tables in Markdown and LaTeX carry the same numbers and marks', async () => {
    const r = await evaluateDataset(toyDataset().dataset, bm25Model());
    const c = compareResults(r, r, 'map');
    const md = macroTableMarkdown(c, { a: 'BM25 | v1', b: 'BM25 & co' });
    expect(md).toContain('| System | mono | cross | multi | rank distance |');
    expect(md).toContain('| A: BM25 \\| v1 |');
    expect(md).toContain('| B − A | +0.000 | +0.000 | +0.000 | +0.0 |');
    const tex = macroTableLatex(c, { a: 'BM25_a', b: 'BM25 & co' });
    expect(tex).toContain('BM25\\_a & ');
    expect(tex).toContain('BM25 \\& co & ');
    expect(tex).toContain('$\\Delta$ & +0.000 & +0.000 & +0.000 & +0.0 \\\\');
  });
});
