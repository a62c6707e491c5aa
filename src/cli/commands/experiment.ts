/**
 * `npm run lab -- experiment <experiment.json> --out dir/ [--backend wasm|cpu|webgpu]`
 *
 * Runs every (sampler, seed) of an experiment (src/core/experiment/schema.ts)
 * as a training run into dir/runs/<sampler>-seed<seed>/ — the `lab train`
 * layout, by the same function — then writes dir/results.json (the
 * aggregate: mean ± sd over seeds, paired tests against the reference
 * sampler with the named correction, language groups, and every run's
 * trained results) and dir/results.md (the paper's table layout).
 * Run it again after an interruption: finished runs (their results.json) are
 * skipped, a run with a checkpoint resumes from it, and the aggregate is
 * rewritten. The experiment file must be the same one (dir/experiment.json).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LabError } from '../../core/errors.ts';
import type { EvalResults } from '../../core/eval/results.ts';
import { parseExperiment, planRuns } from '../../core/experiment/schema.ts';
import { aggregateExperiment } from '../../core/experiment/aggregate.ts';
import { experimentMarkdown } from '../../core/experiment/markdown.ts';
import { readConfigFile } from '../../node/run-inputs.ts';
import { choiceFlag, commandFlags } from '../flags.ts';
import { writeAtomic } from '../outputs.ts';
import { trainToFolder } from './train.ts';

const USAGE = 'usage: npm run lab -- experiment <experiment.json> --out dir/ [--backend wasm|cpu|webgpu]';

export async function run(argv: string[]): Promise<number> {
  const f = commandFlags(argv, { out: 'value', backend: 'value' }, USAGE, (p) => {
    if (p.positional.length !== 1) throw new LabError('invalid-argument', p.positional.length ? `one experiment file, not ${p.positional.length}` : 'the experiment file is missing');
    if (!p.values.has('out')) throw new LabError('invalid-argument', '--out is required');
  });
  if ('exit' in f) return f.exit;
  const backend = choiceFlag(f, 'backend', ['wasm', 'cpu', 'webgpu'] as const) ?? 'wasm';
  const file = f.positional[0]!;
  const out = resolve(f.values.get('out')!);
  const { raw, dir } = await readConfigFile(file);
  const experiment = parseExperiment(raw, file);
  const runs = planRuns(experiment);
  const log = (l: string): void => void process.stderr.write(`${l}\n`);

  mkdirSync(out, { recursive: true });
  const recorded = join(out, 'experiment.json');
  const text = `${JSON.stringify(experiment, null, 2)}\n`;
  if (existsSync(recorded)) {
    if (readFileSync(recorded, 'utf8') !== text) {
      throw new LabError('invalid-argument', `${out} holds the runs of a different experiment (experiment.json differs)`, { file }, 'the same experiment file, or another --out folder');
    }
  } else writeAtomic(recorded, text);

  const done: { id: string; sampler: string; seed: number; trained: EvalResults[] }[] = [];
  for (const [i, r] of runs.entries()) {
    const folder = join(out, 'runs', r.id);
    const resultsPath = join(folder, 'results.json');
    const tag = `[${i + 1}/${runs.length}] ${r.id}`;
    if (existsSync(resultsPath)) {
      log(`${tag}: done before, skipped`);
    } else {
      const resume = existsSync(join(folder, 'checkpoint', 'state.json'));
      log(`${tag}: ${resume ? 'resuming from its checkpoint' : 'training'}`);
      await trainToFolder({ config: r.config, configDir: dir, out: folder, backend, resume, log: (l) => log(`${tag}: ${l}`) });
    }
    const saved = JSON.parse(readFileSync(resultsPath, 'utf8')) as { trained: EvalResults[]; config: unknown };
    // A run made by another version of this plan (another split seed, say) must not be averaged in silently.
    if (JSON.stringify(saved.config) !== JSON.stringify(r.config)) {
      throw new LabError('invalid-argument', `${folder} was trained with a different RunConfig than this experiment plans for it`, { file: resultsPath }, 'remove that run folder (it is retrained) or use another --out folder');
    }
    done.push({ id: r.id, sampler: r.variant.name, seed: r.seed, trained: saved.trained });
  }
  const results = aggregateExperiment(experiment, done);
  writeAtomic(join(out, 'results.json'), `${JSON.stringify(results)}\n`);
  const md = experimentMarkdown(results);
  writeAtomic(join(out, 'results.md'), md);
  console.log(md);
  return 0;
}
