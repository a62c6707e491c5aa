/** The per-language rows of the dataset table, computed once at import and stored with the record. */
import { own } from '../core/ids.ts';
import type { Dataset, DatasetStats } from '../core/dataset/types.ts';
import type { LanguageSummary } from './schema.ts';

export function summarizeLanguages(ds: Dataset, stats: DatasetStats): LanguageSummary[] {
  const relevantByLang = new Map<string, number>();
  for (const q of ds.queries) {
    const judged = own(ds.qrels, q.id);
    let n = 0;
    if (judged) for (const rel of Object.values(judged)) if (rel >= 1) n++;
    relevantByLang.set(q.lang, (relevantByLang.get(q.lang) ?? 0) + n);
  }
  return stats.languages.map((lang) => {
    const queries = stats.queries[lang] ?? 0;
    return {
      lang,
      queries,
      candidates: stats.candidates[lang] ?? 0,
      relevantPerQuery: queries > 0 ? (relevantByLang.get(lang) ?? 0) / queries : 0,
    };
  });
}
