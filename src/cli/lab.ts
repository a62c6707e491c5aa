/**
 * `npm run lab -- <command> [args]`: the headless command line over src/core.
 * Each command lives in src/cli/commands/<name>.ts and exports
 * `run(argv: string[]): Promise<number>` (the exit code).
 */
import { isLabError } from '../core/errors.ts';
import { interrupted, removeTemporaryFiles } from './outputs.ts';

// Ctrl-C or a kill during a long run: remove the temporary output files, say so, exit as a shell expects.
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(signal, () => {
    interrupted.abort();
    removeTemporaryFiles();
    console.error(`\ninterrupted (${signal}): no output was written`);
    process.exit(code);
  });
}

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }> = {
  inspect: { summary: 'inspect <files…>             dataset statistics as JSON', load: () => import('./commands/inspect.ts') },
  bm25: { summary: 'bm25 <files…> --out r.json   BM25 baseline in every setting', load: () => import('./commands/bm25.ts') },
  metrics: { summary: 'metrics --qrels Q --run R    trec_eval-style measures as JSON', load: () => import('./commands/metrics.ts') },
  eval: { summary: 'eval --model M <files…> --out r.json   dense evaluation of an encoder in every setting', load: () => import('./commands/eval.ts') },
  experiment: { summary: 'experiment <experiment.json> --out dir/   samplers × seeds, paper-style tables with significance', load: () => import('./commands/experiment.ts') },
  'export-recipe': { summary: 'export-recipe --config run.json --out dir/   a sentence-transformers project continuing the run on GPUs', load: () => import('./commands/export-recipe.ts') },
  train: { summary: 'train --config run.json --out dir/   hybrid batch training, then base vs trained evaluation', load: () => import('./commands/train.ts') },
  mine: { summary: 'mine --config run.json --out pairs.jsonl   hard negatives for the training pairs (BM25 or the model)', load: () => import('./commands/mine.ts') },
  embed: { summary: 'embed --model M --input F --out O   sentence embeddings', load: () => import('./commands/embed.ts') },
  schema: { summary: 'schema                       the RunConfig JSON Schema', load: () => import('./commands/schema.ts') },
};

function usage(): string {
  return ['usage: npm run lab -- <command> [args]', '', 'commands:', ...Object.values(COMMANDS).map((c) => `  ${c.summary}`)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    console.error(`unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const mod = await cmd.load();
  return mod.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    removeTemporaryFiles();
    if (isLabError(err)) console.error(`error: ${err.message}`);
    else console.error(err);
    process.exit(1);
  },
);
