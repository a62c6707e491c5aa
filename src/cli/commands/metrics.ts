/**
 * `npm run lab -- metrics --qrels qrels.trec --run run.trec [--per-query]`
 *
 * trec_eval on files from any tool: prints
 * {"map", "ndcg_cut_10", "recall_100", "recip_rank_10", "num_q"} — each the
 * mean over judged queries with `-c` semantics (nDCG@10 over the top 100,
 * MRR over the top 10) — and with --per-query a "per_query" object with the
 * same measures per query id. Files are read line by line, so multi-GB runs
 * (`--depth all`) work.
 */
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { LabError } from '../../core/errors.ts';
import { evaluateRun } from '../../core/eval/run-eval.ts';
import { QrelsParser, RunParser } from '../../core/eval/trec.ts';

const USAGE = 'usage: npm run lab -- metrics --qrels qrels.trec --run run.trec [--per-query]';

export async function run(argv: string[]): Promise<number> {
  let qrelsPath: string | undefined;
  let runPath: string | undefined;
  let perQuery = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') {
      console.log(USAGE);
      return 0;
    } else if (a === '--per-query') perQuery = true;
    else if (a === '--qrels' || a === '--run') {
      const v = argv[++i];
      if (!v || v.startsWith('--')) {
        console.error(`${a} needs a file name\n${USAGE}`);
        return 2;
      }
      if (a === '--qrels') qrelsPath = v;
      else runPath = v;
    } else if (a.startsWith('--qrels=')) qrelsPath = a.slice(8);
    else if (a.startsWith('--run=')) runPath = a.slice(6);
    else {
      console.error(`unexpected argument ${a}\n${USAGE}`);
      return 2;
    }
  }
  if (!qrelsPath || !runPath) {
    console.error(`both --qrels and --run are required\n${USAGE}`);
    return 2;
  }
  const qp = new QrelsParser(qrelsPath);
  await readLines(qrelsPath, (l) => qp.line(l));
  const rp = new RunParser(runPath);
  await readLines(runPath, (l) => rp.line(l));
  const ev = evaluateRun(qp.result(), rp.result());
  const out: Record<string, unknown> = { ...ev.summary };
  if (perQuery) out.per_query = ev.perQuery;
  console.log(JSON.stringify(out, null, 2));
  const notes = [
    ev.noRelevant ? `${ev.noRelevant} qrels queries without a relevant document counted as 0 (as trec_eval -c does)` : '',
    ev.missingFromRun ? `${ev.missingFromRun} judged queries missing from the run counted as 0` : '',
    ev.notInQrels ? `${ev.notInQrels} run queries without judgments ignored` : '',
  ].filter(Boolean);
  if (notes.length) console.error(`note: ${notes.join('; ')}`);
  return 0;
}

async function readLines(path: string, onLine: (line: string) => void): Promise<void> {
  try {
    if (!statSync(path).isFile()) throw new Error('EISDIR');
  } catch (e) {
    throw new LabError('invalid-argument', `cannot open (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file: path }, 'an existing file');
  }
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of rl) onLine(line);
}
