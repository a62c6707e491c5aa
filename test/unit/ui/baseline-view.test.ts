import { describe, expect, it } from 'vitest';
import { bm25Model } from '../../../src/core/bm25/search.ts';
import { evaluateDataset } from '../../../src/core/eval/evaluate.ts';
import { divergingColour, heatColour, heatText, lareqaView, miraclView, runLines } from '../../../src/ui/baseline-view.ts';
import { toyDataset } from '../store/helpers.ts';

describe('baseline view', () => {
  it('lays the results out as the heatmap: mono on the diagonal, cross off it, multi and rank distance per query language', async () => {
    const r = await evaluateDataset(toyDataset().dataset, bm25Model());
    const v = lareqaView(r);
    expect(v.langs).toEqual(['de', 'en']);
    const [de, en] = v.rows;
    expect(de!.cells.map((c) => [c!.setting, c!.candidateLang, c!.value, c!.numQ])).toEqual([
      ['mono', 'de', r.settings.mono!.pairs['de-de']!.map, 1],
      ['cross', 'en', r.settings.cross!.pairs['de-en']!.map, 1],
    ]);
    expect(en!.cells.map((c) => c!.setting)).toEqual(['cross', 'mono']);
    expect(de!.multi!.value).toBe(r.settings.multi!.pairs['de-all']!.map);
    expect(en!.bias).toEqual({ value: r.languageBias!.byQueryLang.en, numQ: r.languageBias!.numQ.en });
    expect(v.headlines.map((h) => [h.setting, h.map])).toEqual([
      ['mono', r.settings.mono!.macro.map], ['cross', r.settings.cross!.macro.map], ['multi', r.settings.multi!.macro.map],
    ]);
    expect(v.headlines[1]!.averaging).toContain('2 pairs');
    expect(v.bias).toEqual({ macro: r.languageBias!.macro, numLangs: 2 });
  });

  it('shows any metric of the table, and the rank gap per pair on a diverging scale', async () => {
    const r = await evaluateDataset(toyDataset().dataset, bm25Model());
    const ndcg = lareqaView(r, 'ndcg_cut_10');
    expect(ndcg.rows[0]!.cells[1]!.value).toBe(r.settings.cross!.pairs['de-en']!.ndcg_cut_10);
    expect(ndcg.rows[1]!.multi!.value).toBe(r.settings.multi!.pairs['en-all']!.ndcg_cut_10);
    expect(ndcg.scale).toMatchObject({ min: '0', max: '1' });
    const gap = lareqaView(r, 'rank_gap');
    expect(gap.rows[0]!.cells[0]).toBeNull(); // no gap from a language to itself
    expect(gap.rows[0]!.cells[1]!.value).toBe(r.languageBias!.pairs['de-en']!.meanRankGap);
    expect(gap.rows[0]!.multi).toBeNull();
    expect(divergingColour(0, 5)).toBe(divergingColour(0, 0)); // the centre is the neutral colour
    expect(divergingColour(5, 5)).not.toBe(divergingColour(-5, 5));
    expect(divergingColour(50, 5)).toBe(divergingColour(5, 5)); // saturates
  });

  it('MIRACL results give one nDCG@10 / Recall@100 row per language', async () => {
    const r = await evaluateDataset(toyDataset().dataset, bm25Model(), { settings: ['mono'] });
    const v = miraclView(r);
    expect(v.rows.map((x) => [x.lang, x.ndcg10, x.recall100])).toEqual([
      ['de', r.settings.mono!.pairs['de-de']!.ndcg_cut_10, r.settings.mono!.pairs['de-de']!.recall_100],
      ['en', r.settings.mono!.pairs['en-en']!.ndcg_cut_10, r.settings.mono!.pairs['en-en']!.recall_100],
    ]);
  });

  it('the colour scale runs light to dark and clamps; text stays readable', () => {
    expect(heatColour(0)).toBe('rgb(255, 255, 217)');
    expect(heatColour(1)).toBe('rgb(8, 29, 88)');
    expect(heatColour(-1)).toBe(heatColour(0));
    expect(heatColour(2)).toBe(heatColour(1));
    expect(heatColour(Number.NaN)).toBe(heatColour(0));
    expect(heatColour(0.5)).toBe('rgb(65, 182, 196)');
    expect(heatText(0.1)).not.toBe(heatText(0.9));
  });

  it('counts the lines of a run file per setting and depth', () => {
    const per = [{ lang: 'de', queries: 2, candidates: 10 }, { lang: 'en', queries: 3, candidates: 4 }];
    expect(runLines(per, 'mono', 'all')).toBe(2 * 10 + 3 * 4);
    expect(runLines(per, 'mono', 5)).toBe(2 * 5 + 3 * 4);
    expect(runLines(per, 'cross', 'all')).toBe(2 * 4 + 3 * 10);
    expect(runLines(per, 'multi', 'all')).toBe(5 * 14);
    expect(runLines(per, 'multi', 1)).toBe(5);
  });
});

describe('heatmap SVG', () => {
  it('draws every cell with its value and escapes names', async () => {
    const { heatmapSvg } = await import('../../../src/ui/lab/heatmap-svg.ts');
    const r = await evaluateDataset(toyDataset().dataset, bm25Model());
    const svg = heatmapSvg(lareqaView(r), 'BM25 <toy> & co');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('BM25 &lt;toy&gt; &amp; co');
    expect(svg.match(/<rect x=/g)).toHaveLength(2 * 2 + 2); // four pairs and two multilingual cells
    expect(svg).toContain(`>${r.settings.cross!.pairs['de-en']!.map.toFixed(3)}<`);
  });
});
