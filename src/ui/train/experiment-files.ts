/**
 * The files a user chooses to run an experiment in the page: one experiment
 * file (kind "experiment") and, for a generated start model, the tokenizer.json
 * it names (recognised by its name; its hash is checked by the worker). Each
 * refusal names the file.
 */
import { LabError } from '../../core/errors.ts';
import { parseUntrustedJson } from '../../core/json.ts';
import type { ExperimentRequest } from '../../../workers/protocol.ts';

const MAX_EXPERIMENT_BYTES = 2e6;
const MAX_TOKENIZER_BYTES = 100e6;

export async function experimentRequest(files: readonly File[]): Promise<ExperimentRequest> {
  const tokenizers = files.filter((f) => /(^|[\\/])tokenizer\.json$/.test(f.name));
  const experiments = files.filter((f) => !tokenizers.includes(f));
  if (experiments.length !== 1) {
    throw new LabError('invalid-argument', experiments.length ? `${experiments.length} experiment files chosen (${experiments.map((f) => f.name).join(', ')})` : 'no experiment file chosen', {}, 'one experiment JSON file, and the tokenizer.json it names when its model is generated');
  }
  if (tokenizers.length > 1) throw new LabError('invalid-argument', `${tokenizers.length} tokenizer.json files chosen`, {}, 'at most one');
  const f = experiments[0]!;
  if (f.size > MAX_EXPERIMENT_BYTES) throw new LabError('file-too-large', `is ${(f.size / 1e6).toFixed(1)} MB, over the ${MAX_EXPERIMENT_BYTES / 1e6} MB an experiment file may have`, { file: f.name });
  const experiment = parseUntrustedJson(await f.text(), { file: f.name }, 'an experiment file (JSON, kind "experiment")');
  const t = tokenizers[0];
  if (t && t.size > MAX_TOKENIZER_BYTES) throw new LabError('file-too-large', `is ${(t.size / 1e6).toFixed(0)} MB, over the ${MAX_TOKENIZER_BYTES / 1e6} MB a tokenizer.json may have`, { file: t.name });
  return { experiment, file: f.name, ...(t ? { tokenizerJson: new Uint8Array(await t.arrayBuffer()) } : {}) };
}
