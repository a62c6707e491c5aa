/**
 * `npm run lab -- bm25 <dataset files…> --out results.json [--run run.trec]
 *   [--qrels qrels.trec] [--setting mono|cross|multi] [--depth N|all]`
 *
 * The BM25 baseline (k1 0.9, b 0.4) in every setting of the dataset
 * (LAReQA: mono, cross, multi + language bias; MIRACL: mono). Writes the
 * results object and, when asked, one setting's TREC run and qrels — by
 * default the multilingual pool for LAReQA data and the monolingual run for
 * MIRACL, top 1000 per query. Files are written next to their target and
 * renamed into place, so a failure never leaves a half-written file.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { LabError } from '../../core/errors.ts';
import { DEFAULT_RUN_CONFIG, type RunConfig, type Setting } from '../../core/run-config.ts';
import { bm25Model } from '../../core/bm25/search.ts';
import { BM25_DEFAULTS } from '../../core/bm25/index.ts';
import { evaluateDataset, settingQrels, type RunSink } from '../../core/eval/evaluate.ts';
import { resultsToJSON } from '../../core/eval/results.ts';
import { formatQrelsLines, formatRunLines, runTag } from '../../core/eval/trec.ts';
import { expandPaths, loadDatasetFromPaths } from '../load-files.ts';

const USAGE =
  'usage: npm run lab -- bm25 <dataset files or folders…> --out results.json [--run run.trec] [--qrels qrels.trec] [--setting mono|cross|multi] [--depth N|all]';

export interface Bm25Args {
  files: string[];
  out: string;
  run?: string;
  qrels?: string;
  setting?: Setting;
  depth: number | 'all';
}

/** Parses argv; returns a usage message instead of throwing for bad flags. */
export function parseBm25Args(argv: string[]): Bm25Args | string {
  const files: string[] = [];
  const a: Partial<Bm25Args> = { depth: 1000 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string | undefined => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case '--out':
      case '--run':
      case '--qrels': {
        const v = value();
        if (!v || v.startsWith('--')) return `${flag} needs a file name`;
        a[flag.slice(2) as 'out' | 'run' | 'qrels'] = v;
        break;
      }
      case '--setting': {
        const v = value();
        if (v !== 'mono' && v !== 'cross' && v !== 'multi') return `--setting must be mono, cross or multi, not ${JSON.stringify(v ?? '')}`;
        a.setting = v;
        break;
      }
      case '--depth': {
        const v = value();
        if (v === 'all') a.depth = 'all';
        else if (v && /^[1-9]\d*$/.test(v)) a.depth = Number(v);
        else return `--depth must be a positive integer or "all", not ${JSON.stringify(v ?? '')}`;
        break;
      }
      default:
        if (arg.startsWith('--')) return `unknown option ${arg}`;
        files.push(arg);
    }
  }
  if (files.length === 0) return 'no dataset files given';
  if (!a.out) return '--out results.json is required';
  return { ...(a as Bm25Args), files };
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const args = parseBm25Args(argv);
  if (typeof args === 'string') {
    console.error(`${args}\n${USAGE}`);
    return 2;
  }
  const files = expandPaths(args.files);
  const dataset = await loadDatasetFromPaths(files);
  const setting: Setting = args.setting ?? (dataset.format === 'miracl' ? 'mono' : 'multi');
  if (dataset.format === 'miracl' && setting !== 'mono') {
    throw new LabError('invalid-argument', `MIRACL data has only the mono setting, not "${setting}"`, {}, '--setting mono');
  }
  if (dataset.format !== 'lareqa' && dataset.format !== 'miracl') {
    throw new LabError('invalid-argument', `dataset ${dataset.name} is ${dataset.format} data, which has no queries to evaluate`, {}, 'LAReQA or MIRACL files');
  }

  const config: RunConfig = {
    ...DEFAULT_RUN_CONFIG,
    datasets: [{ name: dataset.name, shards: files.map((f) => ({ name: basename(f), sha256: createHash('sha256').update(readFileSync(f)).digest('hex') })) }],
    model: { ...DEFAULT_RUN_CONFIG.model, source: 'none', id: 'bm25', queryPrefix: '', passagePrefix: '' },
    backend: 'cpu',
    eval: { settings: dataset.format === 'miracl' ? ['mono'] : ['mono', 'cross', 'multi'], depth: args.depth },
  };

  const runFile = args.run ? new AtomicWriter(args.run) : null;
  const tag = runTag('bm25', setting);
  let sink: RunSink | undefined;
  if (runFile) sink = { setting, depth: args.depth, write: (qid, ids, scores) => runFile.write(formatRunLines(qid, ids, scores, tag)) };
  let lastReport = 0;
  try {
    const results = await evaluateDataset(dataset, bm25Model(BM25_DEFAULTS), {
      ...(sink ? { run: sink } : {}),
      onProgress: (stage, done, total) => {
        const now = Date.now();
        if (now - lastReport > 2000 || done === total) {
          lastReport = now;
          process.stderr.write(`${stage}: ${done}/${total} queries\n`);
        }
      },
    });
    results.description.config = config;
    runFile?.commit();
    if (args.qrels) writeAtomic(args.qrels, formatQrelsLines(settingQrels(dataset, setting)));
    writeAtomic(args.out, resultsToJSON(results) + '\n');
    const summary: Record<string, unknown> = {
      dataset: dataset.name,
      out: args.out,
      ...(args.run ? { run: args.run, setting, depth: args.depth } : {}),
      ...(args.qrels ? { qrels: args.qrels } : {}),
      macro_map: Object.fromEntries(Object.entries(results.settings).map(([s, r]) => [s, r.macro.map])),
      ...(dataset.format === 'miracl' && results.settings.mono
        ? { macro_ndcg_cut_10: results.settings.mono.macro.ndcg_cut_10, macro_recall_100: results.settings.mono.macro.recall_100 }
        : {}),
      ...(results.languageBias ? { rank_distance_macro: results.languageBias.macro } : {}),
    };
    console.log(JSON.stringify(summary, null, 2));
    return 0;
  } catch (e) {
    runFile?.abort();
    throw e;
  }
}

/** Streams into `{path}.tmp-{pid}` and renames over `path` on commit. */
class AtomicWriter {
  private readonly tmp: string;
  private fd: number;
  private pending = '';
  constructor(private readonly path: string) {
    this.tmp = `${path}.tmp-${process.pid}`;
    try {
      this.fd = openSync(this.tmp, 'w');
    } catch (e) {
      throw new LabError('invalid-argument', `cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { file: path }, 'a writable path');
    }
  }
  write(s: string): void {
    this.pending += s;
    if (this.pending.length > 1 << 20) this.flush();
  }
  private flush(): void {
    writeSync(this.fd, this.pending);
    this.pending = '';
  }
  commit(): void {
    this.flush();
    closeSync(this.fd);
    renameSync(this.tmp, this.path);
  }
  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
    rmSync(this.tmp, { force: true });
  }
}

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new LabError('invalid-argument', `cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { file: path }, 'a writable path');
  }
}
