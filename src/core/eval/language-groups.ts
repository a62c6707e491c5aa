/**
 * Language groups for the question the research brief asks about
 * low-resource pairs: the languages of a results object split into
 * high- and low-resource, and each setting's macro average per group (and,
 * cross-lingually, per query group × candidate group), from the per-pair
 * values of the results object — the same unweighted means the setting
 * macros use, restricted to the group's pairs.
 *
 * The default split follows Joshi et al. (2020), "The State and Fate of
 * Linguistic Diversity and Inclusion in the NLP World": their class 5 ("the
 * winners": English, Spanish, German, Japanese, French, Arabic, Mandarin) plus
 * class 4 languages with large web corpora (Russian, Portuguese, Italian,
 * Dutch, Korean) are high-resource; every other language is low-resource.
 * It is a convention, not a fact about a model's pretraining data: the
 * page lets the user edit the list, and the results say which list was used.
 */
import type { Lang } from '../dataset/types.ts';
import type { EvalResults } from './results.ts';
import type { MetricName } from './metrics.ts';

export const DEFAULT_HIGH_RESOURCE: readonly Lang[] = ['ar', 'de', 'en', 'es', 'fr', 'it', 'ja', 'ko', 'nl', 'pt', 'ru', 'zh'];

export type ResourceGroup = 'high' | 'low';

export function groupOf(lang: Lang, high: readonly Lang[]): ResourceGroup {
  return high.includes(lang) ? 'high' : 'low';
}

/** The languages ordered high-resource first, each group alphabetical. */
export function orderByGroup(langs: readonly Lang[], high: readonly Lang[]): Lang[] {
  const sorted = [...langs].sort();
  return [...sorted.filter((l) => high.includes(l)), ...sorted.filter((l) => !high.includes(l))];
}

export interface GroupMacro {
  /** Unweighted mean over the group's pairs; null when it has none. */
  value: number | null;
  pairs: number;
}

export interface GroupRow {
  group: ResourceGroup;
  langs: Lang[];
  mono: GroupMacro;
  /** Query language in this group, candidates in the high / low group (x ≠ y). */
  crossToHigh: GroupMacro;
  crossToLow: GroupMacro;
  multi: GroupMacro;
}

function macro(values: number[]): GroupMacro {
  return { value: values.length ? values.reduce((a, b) => a + b, 0) / values.length : null, pairs: values.length };
}

/** Per group: mono, cross (by candidate group) and multilingual macros of `metric`, over pairs with judged queries. */
export function groupMacros(r: EvalResults, metric: MetricName, high: readonly Lang[]): GroupRow[] {
  const langs = r.counts.languages;
  const value = (setting: 'mono' | 'cross' | 'multi', key: string): number[] => {
    const p = r.settings[setting]?.pairs[key];
    return p && p.num_q > 0 ? [p[metric]] : [];
  };
  return (['high', 'low'] as const).map((group) => {
    const xs = langs.filter((l) => groupOf(l, high) === group);
    const cross = (to: ResourceGroup) => macro(xs.flatMap((x) => langs.filter((y) => y !== x && groupOf(y, high) === to).flatMap((y) => value('cross', `${x}-${y}`))));
    return {
      group, langs: xs,
      mono: macro(xs.flatMap((x) => value('mono', `${x}-${x}`))),
      crossToHigh: cross('high'),
      crossToLow: cross('low'),
      multi: macro(xs.flatMap((x) => value('multi', `${x}-all`))),
    };
  });
}

/** Parses the user's list ("en, de zh"): lowercase ISO 639 codes, deduplicated; anything else is reported. */
export function parseLanguageList(text: string): { langs: Lang[]; rejected: string[] } {
  const parts = text.split(/[\s,;]+/).map((x) => x.trim()).filter(Boolean);
  const langs: Lang[] = [];
  const rejected: string[] = [];
  for (const p of parts) {
    const l = p.toLowerCase();
    if (/^[a-z]{2,3}$/.test(l)) { if (!langs.includes(l)) langs.push(l); } else rejected.push(p);
  }
  return { langs, rejected };
}
