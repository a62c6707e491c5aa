/**
 * The page's preferences, kept in localStorage (a preference lost to a
 * private window costs nothing): the colour theme and the list of
 * high-resource languages the results group by. One shared instance.
 */
import { DEFAULT_HIGH_RESOURCE } from '../core/eval/language-groups.ts';
import type { Lang } from '../core/dataset/types.ts';

export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'polyglot-lab.prefs';

interface Stored {
  theme?: ThemeChoice;
  highResource?: Lang[];
  orderByGroup?: boolean;
}

function read(): Stored {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '{}') as unknown;
    if (typeof v !== 'object' || v === null) return {};
    const o = v as Record<string, unknown>;
    const out: Stored = {};
    if (o.theme === 'system' || o.theme === 'light' || o.theme === 'dark') out.theme = o.theme;
    if (Array.isArray(o.highResource) && o.highResource.every((x) => typeof x === 'string' && /^[a-z]{2,3}$/.test(x))) out.highResource = o.highResource as Lang[];
    if (typeof o.orderByGroup === 'boolean') out.orderByGroup = o.orderByGroup;
    return out;
  } catch {
    return {};
  }
}

class Preferences {
  theme = $state<ThemeChoice>('system');
  highResource = $state<Lang[]>([...DEFAULT_HIGH_RESOURCE]);
  orderByGroup = $state(false);

  constructor() {
    const s = typeof localStorage === 'undefined' ? {} : read();
    if (s.theme) this.theme = s.theme;
    if (s.highResource) this.highResource = s.highResource;
    if (s.orderByGroup !== undefined) this.orderByGroup = s.orderByGroup;
  }

  save(): void {
    try {
      localStorage.setItem(KEY, JSON.stringify({ theme: this.theme, highResource: this.highResource, orderByGroup: this.orderByGroup }));
    } catch {
      // Storage disabled: the choice holds for this page only.
    }
  }
}

export const prefs = new Preferences();
