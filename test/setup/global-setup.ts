/** vitest globalSetup: prepares generated fixtures (tiny models) once per run. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_OUT, GENERATOR_VERSION, makeTinyModels } from '../../scripts/make-tiny-models.ts';

export default async function setup(): Promise<void> {
  // Tiny random models (~30 MB, gitignored): regenerate when missing or made by an older generator.
  const version = await readFile(join(DEFAULT_OUT, 'VERSION'), 'utf8').catch(() => '');
  if (version.trim() !== GENERATOR_VERSION) await makeTinyModels(DEFAULT_OUT);
}
