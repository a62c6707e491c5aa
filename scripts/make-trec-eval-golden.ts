/**
 * Golden fixture for `lab metrics` from trec_eval itself (NIST's C program):
 * seeded random qrels and runs — graded relevance 0-3, queries whose
 * judgments are all 0, judged queries missing from the run, run queries
 * missing from the qrels, tied scores — evaluated by a trec_eval binary with
 * the calls METRICS.md names, per query and overall. CI has no trec_eval
 * (its source is not a registry package), so the cases and trec_eval's
 * answers are committed: test/fixtures/eval/trec-eval-golden.json.
 *
 *   bash scripts/build-trec-eval.sh /path/to/trec_eval-source   # prints the binary's path
 *   npx tsx scripts/make-trec-eval-golden.ts /path/to/trec_eval
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from '../src/core/random.ts';

const binary = process.argv[2];
if (!binary) {
  console.error('usage: npx tsx scripts/make-trec-eval-golden.ts /path/to/trec_eval');
  process.exit(2);
}

/** The calls that define each measure (METRICS.md), each run on its own so -M applies to it alone. */
const CALLS: Record<string, string[]> = {
  map: ['-c', '-m', 'map'],
  ndcg_cut_10: ['-c', '-M', '100', '-m', 'ndcg_cut.10'],
  recall_100: ['-c', '-m', 'recall.100'],
  recip_rank_10: ['-c', '-M', '10', '-m', 'recip_rank'],
  num_q: ['-c', '-m', 'num_q'],
};

interface Case { name: string; qrels: string; run: string }

function makeCase(seed: number): Case {
  const r = mulberry32(seed);
  const nq = 5 + Math.floor(r() * 20);
  const nd = 10 + Math.floor(r() * 150);
  const qrels: string[] = [];
  const run: string[] = [];
  for (let q = 0; q < nq; q++) {
    const qid = `q${q}`;
    const kind = r();
    // ~15% of queries judged with 0 only, ~10% not judged at all, the rest graded 0-3.
    if (kind > 0.1) {
      const judged = 1 + Math.floor(r() * 12);
      const docs = new Set<number>();
      for (let j = 0; j < judged; j++) docs.add(Math.floor(r() * nd));
      for (const d of docs) qrels.push(`${qid} 0 d${d} ${kind < 0.25 ? 0 : Math.floor(r() * 4)}`);
    }
    // ~10% of queries missing from the run.
    if (r() < 0.1) continue;
    const depth = 1 + Math.floor(r() * Math.min(nd, 150));
    const docs = new Set<number>();
    while (docs.size < depth) docs.add(Math.floor(r() * nd));
    let rank = 0;
    for (const d of docs) run.push(`${qid} Q0 d${d} ${++rank} ${r() < 0.3 ? 1 : Math.round(r() * 1000) / 100} run`); // many ties at 1
  }
  run.push(`extra Q0 d0 1 1 run`); // a run query the qrels do not know
  return { name: `seed-${seed}`, qrels: qrels.join('\n') + '\n', run: run.join('\n') + '\n' };
}

const dir = mkdtempSync(join(tmpdir(), 'trec-eval-golden-'));
const v = spawnSync(binary, ['-v'], { encoding: 'utf8' });
const version = `${v.stdout}${v.stderr}`.trim().split('\n')[0] ?? 'trec_eval';
const cases = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => {
  const c = makeCase(seed);
  const q = join(dir, `${c.name}.qrels`);
  const rf = join(dir, `${c.name}.run`);
  writeFileSync(q, c.qrels);
  writeFileSync(rf, c.run);
  const all: Record<string, number> = {};
  const perQuery: Record<string, Record<string, number>> = {};
  for (const [measure, args] of Object.entries(CALLS)) {
    const out = execFileSync(binary, [...args, '-q', q, rf], { encoding: 'utf8' });
    for (const line of out.trim().split('\n')) {
      const [, qid, value] = line.split('\t').map((s) => s.trim()) as [string, string, string];
      if (qid === 'all') all[measure] = Number(value);
      else (perQuery[qid] ??= {})[measure] = Number(value);
    }
  }
  return { ...c, trecEval: { all, perQuery } };
});
writeFileSync(join(process.cwd(), 'test/fixtures/eval/trec-eval-golden.json'), JSON.stringify({ generator: `scripts/make-trec-eval-golden.ts with ${version}`, calls: CALLS, cases }, null, 1) + '\n');
console.error(`wrote test/fixtures/eval/trec-eval-golden.json: ${cases.length} cases, ${version}`);
