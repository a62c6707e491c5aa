/** Real XQuAD-R (../shared/data/xquad-r, never copied into the repo), loaded with the project's own loader. */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadDatasetFromPaths } from '../../../src/cli/load-files.ts';
import type { Dataset } from '../../../src/core/dataset/types.ts';

export const XQUAD_R_DIR = fileURLToPath(new URL('../../../../shared/data/xquad-r/', import.meta.url));

export function xquadRPaths(langs?: readonly string[]): string[] {
  return readdirSync(XQUAD_R_DIR)
    .filter((f) => f.endsWith('.json') && (!langs || langs.includes(f.slice(0, -5))))
    .sort()
    .map((f) => XQUAD_R_DIR + f);
}

export function loadXquadR(langs?: readonly string[]): Promise<Dataset> {
  return loadDatasetFromPaths(xquadRPaths(langs));
}

/** Seeded xorshift32 uniform in [0, 1): reproducible random embeddings without a dependency. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}
