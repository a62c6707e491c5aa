/**
 * The one-click demo's manifest: XQuAD-R from its public repository at a pinned
 * commit, each file with its SHA-256 and size (the bytes the lab was built
 * against: ../shared/data/xquad-r), and a small multilingual encoder from the
 * Hugging Face hub. Nothing is fetched before the user has seen the sizes and
 * confirmed; a file whose bytes differ from the manifest is refused. Tests
 * point the base URL at a local copy and the model at the mock hub.
 */
import { LabError } from './errors.ts';
import { isAllowedRemote } from './run-config.ts';

export const DEMO_DATASET_REPO = 'google-research-datasets/lareqa';
export const DEMO_DATASET_COMMIT = '5405d2a77e83d5ccb47623a3f9e5604c3f103193';
export const DEMO_DATASET_BASE = `https://raw.githubusercontent.com/${DEMO_DATASET_REPO}/${DEMO_DATASET_COMMIT}/xquad-r/`;
export const DEMO_MODEL = { id: 'intfloat/multilingual-e5-small', revision: 'main', approxBytes: 471e6 } as const;

export interface DemoFile { name: string; lang: string; sha256: string; size: number; url: string }

const FILES: readonly Omit<DemoFile, 'url'>[] = [
  { name: 'ar.json', lang: 'ar', sha256: 'c52922d3b8ac1ae03ed5ac38647ad59870dca3dda2beefe18ecdc30729acb69d', size: 2234875 },
  { name: 'de.json', lang: 'de', sha256: '16fb0f4bf4916154b585a20c24c66074591c9718a1affe764ff4697572328949', size: 732156 },
  { name: 'el.json', lang: 'el', sha256: '163fd43ee785a30eb534ae2061e9eaa766a7ee4e8ffce5e4b422480c150f64b6', size: 2810127 },
  { name: 'en.json', lang: 'en', sha256: '7b0954f39297c27a31fef610f0883337dd2907fa8699151dc922afdd0fa12ffe', size: 628651 },
  { name: 'es.json', lang: 'es', sha256: 'f8e836b2d91009c4363e04315f7ede363eedbbb49c67dda60de6c4aa782f58de', size: 746335 },
  { name: 'hi.json', lang: 'hi', sha256: 'ea45ba8ae4513d1533b222bebdc02a90bc319c055d3aeea68584a053d2e92872', size: 2408404 },
  { name: 'ru.json', lang: 'ru', sha256: '7f4dff853538b9a5fcc28c070b8bb983a5c5d190ac747b8e005a1ada9cab18f1', size: 2764904 },
  { name: 'th.json', lang: 'th', sha256: 'c3a041864c3a9fb0b4dd91cfdf99cf36b411b3e704c58a303c97bc6dc786cfe4', size: 2618544 },
  { name: 'tr.json', lang: 'tr', sha256: 'f3e8c13002bbce154a4578f535f7533cb70f3da08840e6b62735935baec7bd94', size: 827827 },
  { name: 'vi.json', lang: 'vi', sha256: 'e35926bf5cc6fc6ecbdfca49467aabeb454f08d152d7818143a906bd31dde995', size: 1132303 },
  { name: 'zh.json', lang: 'zh', sha256: '80c2cde7b9c2fb134c303cbb52f2ba396ead9eb0014aec43993543d2ba9e93ed', size: 959291 },
];

export interface DemoPlan {
  files: DemoFile[];
  model: { id: string; revision: string; host?: string; approxBytes: number };
  /** Bytes to download for the data (exact) and the model (approximate). */
  dataBytes: number;
  /** Where the data comes from: the pinned public commit, or an override's base URL. */
  dataBase: string;
  pinned: boolean;
}

/**
 * The demo's plan; `dataBase` (a URL ending in '/'), `langs` and `model` override the defaults (tests, mirrors).
 * Overrides come from the page URL, so they are checked like any other link input.
 */
export function demoPlan(o: { dataBase?: string | null; langs?: readonly string[] | null; modelId?: string | null; host?: string | null } = {}): DemoPlan {
  const base = o.dataBase ?? DEMO_DATASET_BASE;
  if (!isAllowedRemote(base) || !base.endsWith('/')) {
    throw new LabError('invalid-argument', `demo data base ${base} is not an https URL ending in "/"`, { path: 'demo-data' }, 'an https URL of a folder');
  }
  const langs = o.langs?.length ? o.langs : FILES.map((f) => f.lang);
  const unknown = langs.filter((l) => !FILES.some((f) => f.lang === l));
  if (unknown.length) throw new LabError('invalid-argument', `XQuAD-R has no ${unknown.join(', ')}`, { path: 'demo-langs' }, FILES.map((f) => f.lang).join(', '));
  const files = FILES.filter((f) => langs.includes(f.lang)).map((f) => ({ ...f, url: new URL(f.name, base).href }));
  return {
    files,
    model: { id: o.modelId ?? DEMO_MODEL.id, revision: DEMO_MODEL.revision, ...(o.host ? { host: o.host } : {}), approxBytes: o.modelId ? 0 : DEMO_MODEL.approxBytes },
    dataBytes: files.reduce((n, f) => n + f.size, 0),
    dataBase: base,
    pinned: base === DEMO_DATASET_BASE,
  };
}
