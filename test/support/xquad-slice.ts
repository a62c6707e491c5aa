/**
 * A small, real slice of XQuAD-R for golden tests: the first `articles`
 * articles of a few language files, written as LAReQA files to a folder.
 * Derived from ../shared/data/xquad-r at test time (the data is never copied
 * into the repository); the slice's SHA-256 lets a committed golden fixture
 * prove it was computed on the same texts.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const XQUAD_R_DIR = fileURLToPath(new URL('../../../shared/data/xquad-r/', import.meta.url));
export const GOLDEN_SLICE = { langs: ['ar', 'de', 'en', 'zh'], articles: 2 } as const;

/** Writes `{lang}.json` for each language into `dir`; returns the paths and one hash over their bytes. */
export function writeXquadSlice(dir: string, slice: { langs: readonly string[]; articles: number } = GOLDEN_SLICE): { files: string[]; sha256: string } {
  mkdirSync(dir, { recursive: true });
  const h = createHash('sha256');
  const files = slice.langs.map((lang) => {
    const doc = JSON.parse(readFileSync(join(XQUAD_R_DIR, `${lang}.json`), 'utf8')) as { data: unknown[] };
    const text = JSON.stringify({ ...doc, data: doc.data.slice(0, slice.articles) });
    const path = join(dir, `${lang}.json`);
    writeFileSync(path, text);
    h.update(`${lang}\n${text}\n`);
    return path;
  });
  return { files, sha256: h.digest('hex') };
}
