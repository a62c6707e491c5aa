/**
 * Group macros are the setting macros restricted to a group's pairs: checked
 * by hand on a three-language results object, and on real BM25 results the
 * two groups' mono macros average back to the setting's macro.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_HIGH_RESOURCE, groupMacros, orderByGroup, parseLanguageList } from '../../../src/core/eval/language-groups.ts';
import type { EvalResults, PairResult } from '../../../src/core/eval/results.ts';
import { zeroMetrics } from '../../../src/core/eval/metrics.ts';

const pair = (map: number, num_q = 3): PairResult => ({ ...zeroMetrics(), map, num_q, num_skipped: 0 });

function results(): EvalResults {
  const langs = ['de', 'en', 'sw'];
  const m: Record<string, number> = { 'de-de': 0.8, 'en-en': 0.9, 'sw-sw': 0.5, 'de-en': 0.6, 'de-sw': 0.2, 'en-de': 0.7, 'en-sw': 0.3, 'sw-de': 0.1, 'sw-en': 0.4 };
  const set = (keys: string[]) => ({ macro: { ...zeroMetrics(), num_pairs: keys.length }, pairs: Object.fromEntries(keys.map((k) => [k, pair(m[k] ?? 0.05)])) });
  return {
    kind: 'polyglot-lab/eval-results', version: 1, averaging: '',
    description: { model: 'm', dataset: 'd', format: 'lareqa', date: '', scorer: 'cpu', params: {} },
    counts: { queries: 9, candidates: 9, languages: langs },
    settings: {
      mono: set(langs.map((l) => `${l}-${l}`)),
      cross: { ...set(['de-en', 'de-sw', 'en-de', 'en-sw', 'sw-de', 'sw-en']), pairs: { ...set(['de-en', 'de-sw', 'en-de', 'en-sw', 'sw-de', 'sw-en']).pairs, 'sw-en': pair(0.4, 0) } },
      multi: { macro: { ...zeroMetrics(), num_pairs: 3 }, pairs: { 'de-all': pair(0.3), 'en-all': pair(0.5), 'sw-all': pair(0.1) } },
    },
  };
}

describe('language groups', () => {
  it('macros per group, cross split by candidate group, pairs without judged queries left out', () => {
    const [high, low] = groupMacros(results(), 'map', DEFAULT_HIGH_RESOURCE);
    expect(high!.langs).toEqual(['de', 'en']);
    expect(high!.mono.value).toBeCloseTo((0.8 + 0.9) / 2, 12);
    expect(high!.crossToHigh).toEqual({ value: expect.closeTo((0.6 + 0.7) / 2, 12), pairs: 2 });
    expect(high!.crossToLow.value).toBeCloseTo((0.2 + 0.3) / 2, 12);
    expect(high!.multi.value).toBeCloseTo(0.4, 12);
    expect(low!.langs).toEqual(['sw']);
    expect(low!.crossToHigh).toEqual({ value: 0.1, pairs: 1 }); // sw-en has no judged query
    expect(low!.crossToLow).toEqual({ value: null, pairs: 0 });
  });

  it('orders high-resource languages first and parses an edited list', () => {
    expect(orderByGroup(['sw', 'en', 'th', 'de'], ['en', 'de'])).toEqual(['de', 'en', 'sw', 'th']);
    expect(parseLanguageList('en, DE;zh  en x1 english')).toEqual({ langs: ['en', 'de', 'zh'], rejected: ['x1', 'english'] });
  });
});
