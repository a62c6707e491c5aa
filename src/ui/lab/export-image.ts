/** Saving a heatmap: the SVG as drawn by heatmap-svg.ts, or a PNG rendered from it at twice its size. */
import { downloadBlob, fileStem } from '../download.ts';
import type { LareqaView } from '../baseline-view.ts';
import { heatmapSvg } from './heatmap-svg.ts';

export function downloadHeatmapSvg(view: LareqaView, title: string): void {
  downloadBlob(new Blob([heatmapSvg(view, title)], { type: 'image/svg+xml' }), `${fileStem(title)}.heatmap.svg`);
}

export async function downloadHeatmapPng(view: LareqaView, title: string): Promise<void> {
  const svg = heatmapSvg(view, title);
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    await new Promise<void>((ok, fail) => { img.onload = () => ok(); img.onerror = () => fail(new Error('the SVG did not render')); img.src = url; });
    const canvas = document.createElement('canvas');
    canvas.width = img.width * 2;
    canvas.height = img.height * 2;
    const ctx = canvas.getContext('2d')!;
    ctx.scale(2, 2);
    ctx.drawImage(img, 0, 0);
    const png = await new Promise<Blob>((ok, fail) => canvas.toBlob((b) => (b ? ok(b) : fail(new Error('the canvas gave no PNG'))), 'image/png'));
    downloadBlob(png, `${fileStem(title)}.heatmap.png`);
  } finally {
    URL.revokeObjectURL(url);
  }
}
