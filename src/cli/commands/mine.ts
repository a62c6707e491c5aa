/**
 * `npm run lab -- mine --config run.json --out pairs.jsonl [--method bm25|model] [--from 10] [--to 100] [--per-pair 4] [--seed N] [--backend wasm|cpu|webgpu]`
 *
 * Hard negatives for the run's training data (its train split), as FlagEmbedding's hn_mine: every pair's
 * candidates in the passage's language ranked by BM25 or by the run's start model, the ranks inside
 * [from, to] kept, anything relevant to the pair's parallel group dropped, `per-pair` drawn with the seed.
 * The settings default to the RunConfig's `train.mining` (else 10–100, 4 per pair, the run seed). Writes
 * training-pairs JSONL (the lab's pairs format, with each negative's rank in `negative_ranks`) that the page
 * and `lab train` read as a pairs dataset, and prints a summary on stderr.
 */
import { resolve } from 'node:path';
import { LabError } from '../../core/errors.ts';
import { bm25Model } from '../../core/bm25/search.ts';
import { denseModel } from '../../core/eval/scoring-model.ts';
import { parseRunConfig } from '../../core/run-config.ts';
import { embedDataset } from '../../core/eval/dense.ts';
import type { Dataset } from '../../core/dataset/types.ts';
import { mineHardNegatives, minedPairsJsonl } from '../../core/train/mine.ts';
import { asTrainConfig, mergePools } from '../../core/train/run.ts';
import { buildTrainingPool } from '../../core/train/pool.ts';
import { initNodeBackend } from '../../node/backend.ts';
import { datasetOfRef, readConfigFile } from '../../node/run-inputs.ts';
import { choiceFlag, commandFlags, intFlag } from '../flags.ts';
import { writeAtomic } from '../outputs.ts';
import { loadModel } from './train.ts';

const USAGE = 'usage: npm run lab -- mine --config run.json --out pairs.jsonl [--method bm25|model] [--from 10] [--to 100] [--per-pair 4] [--seed N] [--backend wasm|cpu|webgpu]';

export async function run(argv: string[]): Promise<number> {
  const f = commandFlags(argv, { config: 'value', out: 'value', method: 'value', from: 'value', to: 'value', 'per-pair': 'value', seed: 'value', backend: 'value' }, USAGE, (p) => {
    if (p.positional.length) throw new LabError('invalid-argument', `unexpected argument ${p.positional[0]}`);
    if (!p.values.has('config') || !p.values.has('out')) throw new LabError('invalid-argument', '--config and --out are required');
  });
  if ('exit' in f) return f.exit;
  const configPath = f.values.get('config')!;
  const out = resolve(f.values.get('out')!);
  const method = choiceFlag(f, 'method', ['bm25', 'model'] as const) ?? 'bm25';
  const backend = choiceFlag(f, 'backend', ['wasm', 'cpu', 'webgpu'] as const) ?? 'wasm';
  const { raw, dir } = await readConfigFile(configPath);
  const config = asTrainConfig(parseRunConfig(raw, configPath), `${configPath}: kind`);
  const m = config.train.mining;
  const settings = {
    from: intFlag(f, 'from', 1) ?? m?.from ?? 10,
    to: intFlag(f, 'to', 1) ?? m?.to ?? 100,
    perPair: intFlag(f, 'per-pair', 1, 64) ?? m?.perPair ?? 4,
    seed: intFlag(f, 'seed', 0, 2 ** 31 - 1) ?? m?.seed ?? config.seed,
  };
  const sets = await Promise.all(config.train.data.map((r, i) => datasetOfRef(r, dir, `train.data[${i}]`, config)));
  const pool = mergePools(sets.map((d) => buildTrainingPool(d, { heldOut: config.train.heldOutLanguages })));
  const log = (l: string): void => void process.stderr.write(`${l}\n`);
  let scorer;
  if (method === 'bm25') scorer = bm25Model();
  else {
    await initNodeBackend(backend);
    const { model, label } = await loadModel(config, dir);
    log(`mining with ${label} on tfjs-${backend}`);
    scorer = async (d: Dataset) => {
      const e = await embedDataset(model, d, { tokenization: config.tokenization, batchSize: config.eval.batchSize });
      return denseModel(label, e.queries, e.passages);
    };
  }
  const report = await mineHardNegatives(pool, sets, scorer, settings);
  writeAtomic(out, minedPairsJsonl(report));
  const mined = report.pairs.reduce((n, p) => n + p.negatives.length, 0);
  log(`mined ${mined} negatives for ${report.pairs.length} pairs (ranks ${settings.from}–${settings.to}, ${settings.perPair} per pair, seed ${settings.seed}, ${method}) from ${report.candidates} candidates` +
    `${report.short ? `; ${report.short} pairs had fewer eligible candidates in the window` : ''}; wrote ${out}`);
  return 0;
}
