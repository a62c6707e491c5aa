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

/** Seeded uniform in [0, 1): the project's one generator, so random embeddings are reproducible. */
export { mulberry32 as rng } from '../../../src/core/random.ts';
