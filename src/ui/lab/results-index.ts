/**
 * Every results object the page knows, in one list for the compare panel:
 * BM25 and dense evaluations per stored dataset, training runs' base and
 * trained results, results files opened in this page, and a share link's
 * snapshot. Each entry has a stable id and a label that says what it is.
 */
import type { EvalResults } from '../../core/eval/results.ts';
import type { ShareSnapshot } from '../../core/share/link.ts';
import type { DatasetRecord, TrainRunRecord } from '../../store/schema.ts';

export interface ResultsEntry {
  id: string;
  label: string;
  results: EvalResults;
}

export interface OpenedResults {
  file: string;
  role?: 'base' | 'trained';
  /** Which run of the file (an experiment's sampler and seed). */
  label?: string;
  results: EvalResults;
}

export interface IndexSources {
  datasets: readonly DatasetRecord[];
  bm25: Readonly<Record<string, { results: EvalResults | null }>>;
  dense: Readonly<Record<string, readonly { modelKey: string; results: EvalResults }[]>>;
  runs: readonly TrainRunRecord[];
  opened: readonly OpenedResults[];
  shared: ShareSnapshot | null;
}

export function resultsIndex(s: IndexSources): ResultsEntry[] {
  const out: ResultsEntry[] = [];
  for (const d of s.datasets) {
    const b = s.bm25[d.id]?.results;
    if (b) out.push({ id: `bm25:${d.id}`, label: `BM25 · ${d.name}`, results: b });
    for (const e of s.dense[d.id] ?? []) out.push({ id: `${e.modelKey}:${d.id}`, label: `${e.results.description.model} · ${d.name}`, results: e.results });
  }
  for (const r of s.runs) {
    const when = new Date(r.createdAt).toISOString().slice(0, 16).replace('T', ' ');
    r.base?.forEach((x, i) => out.push({ id: `run:${r.id}:base:${i}`, label: `${r.model.label} base · ${x.description.dataset} (run ${when})`, results: x }));
    r.trained?.forEach((x, i) => out.push({ id: `run:${r.id}:trained:${i}`, label: `${r.model.label} trained ${r.step} steps, ${r.config.train?.sampler ?? ''} · ${x.description.dataset} (run ${when})`, results: x }));
  }
  s.opened.forEach((o, i) => out.push({ id: `file:${i}`, label: `${o.file}${o.label ? ` (${o.label})` : o.role ? ` (${o.role})` : ''}: ${o.results.description.model} · ${o.results.description.dataset}`, results: o.results }));
  s.shared?.results?.forEach((x, i) => out.push({ id: `shared:${i}`, label: `shared link: ${x.label}`, results: x.results }));
  return out;
}
