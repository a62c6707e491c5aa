/**
 * A heatmap view as a standalone SVG (for a paper or slides), drawn from the
 * same LareqaView the page shows: the cells with their colours and values,
 * language labels with the training marks, the multilingual column and the
 * rank distance, and a caption naming the measure. Every text is escaped.
 */
import { heatMetricLabel, trainingMark, type HeatCell, type LareqaView } from '../baseline-view.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function heatmapSvg(view: LareqaView, title: string): string {
  const cw = 58;
  const ch = 28;
  const left = 60;
  const top = 56;
  const cols = view.langs.length + 2;
  const width = left + cols * cw + 20;
  const height = top + view.rows.length * ch + 40;
  const label = view.difference ? `Δ ${heatMetricLabel(view.metric)}` : heatMetricLabel(view.metric);
  const mark = (l: string) => ({ seen: '•', 'held-out': '∅', unseen: '' }[trainingMark(view, l) ?? 'unseen']);
  const fmt = (c: HeatCell) => (view.difference || view.metric === 'rank_gap' ? `${c.value >= 0 ? '+' : '−'}${Math.abs(c.value).toFixed(view.metric === 'rank_gap' ? 1 : 3)}` : c.value.toFixed(3)) + (c.mark ?? '');
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${left}" y="18" font-size="13" font-weight="600">${esc(title)}</text>`,
    `<text x="${left}" y="34" fill="#555">${esc(label)} per query language (rows) × candidate language (columns); all = multilingual pool</text>`,
  ];
  view.langs.forEach((y, j) => out.push(`<text x="${left + j * cw + cw / 2}" y="${top - 6}" text-anchor="middle" font-weight="600">${esc(y + mark(y))}</text>`));
  out.push(`<text x="${left + view.langs.length * cw + cw / 2}" y="${top - 6}" text-anchor="middle" font-weight="600">all</text>`);
  out.push(`<text x="${left + (view.langs.length + 1) * cw + cw / 2}" y="${top - 6}" text-anchor="middle" font-weight="600">RD</text>`);
  view.rows.forEach((row, i) => {
    const y0 = top + i * ch;
    out.push(`<text x="${left - 8}" y="${y0 + ch / 2 + 4}" text-anchor="end" font-weight="600">${esc(row.lang + mark(row.lang))}</text>`);
    [...row.cells, row.multi].forEach((c, j) => {
      const x0 = left + j * cw;
      if (!c) { out.push(`<text x="${x0 + cw / 2}" y="${y0 + ch / 2 + 4}" text-anchor="middle" fill="#999">—</text>`); return; }
      out.push(`<rect x="${x0}" y="${y0}" width="${cw - 2}" height="${ch - 2}" fill="${esc(c.background)}"${c.setting === 'mono' ? ' stroke="#1d2330" stroke-width="2"' : ''}/>`);
      out.push(`<text x="${x0 + cw / 2 - 1}" y="${y0 + ch / 2 + 3}" text-anchor="middle" fill="${esc(c.foreground)}">${esc(fmt(c))}</text>`);
    });
    out.push(`<text x="${left + (view.langs.length + 1) * cw + cw / 2}" y="${y0 + ch / 2 + 4}" text-anchor="middle">${row.bias ? row.bias.value.toFixed(1) : '—'}</text>`);
  });
  out.push(`<text x="${left}" y="${height - 12}" fill="#555">${esc(view.seen ? '• seen in training, ∅ held out; ' : '')}${esc(view.difference ? '* p < 0.05 (paired randomization test); ' : '')}RD: mean rank distance (lower is less biased)</text>`);
  out.push('</svg>');
  return out.join('\n');
}
