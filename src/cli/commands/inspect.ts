/**
 * `npm run lab -- inspect <files…> [--lang xx]`: parses every file, builds one
 * dataset from the good ones and prints datasetStats as JSON. A bad file
 * becomes an entry in "errors" (exit 1) without hiding the others' stats.
 */
import { LabError, isLabError, type DiagnosticJSON } from '../../core/errors.ts';
import { buildDataset } from '../../core/dataset/build.ts';
import { parseShard } from '../../core/dataset/parse-shard.ts';
import { datasetStats, emptyStats } from '../../core/dataset/stats.ts';
import type { DatasetStats, ParsedShard } from '../../core/dataset/types.ts';
import { expandPaths, shardSourceFromPath } from '../load-files.ts';

const USAGE = 'usage: npm run lab -- inspect <files or folders…> [--lang xx]   (--lang overrides the language of a single file)';

export async function run(argv: string[]): Promise<number> {
  const files: string[] = [];
  let lang: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--lang') {
      lang = argv[++i];
      if (lang === undefined || lang.startsWith('--')) {
        console.error(`--lang needs a language code\n${USAGE}`);
        return 2;
      }
    } else if (a.startsWith('--lang=')) lang = a.slice('--lang='.length);
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      return 0;
    } else files.push(a);
  }
  if (files.length === 0 || (lang !== undefined && (files.length !== 1 || lang === ''))) {
    console.error(files.length === 0 ? `no files given\n${USAGE}` : `--lang needs exactly one file and a code\n${USAGE}`);
    return 2;
  }
  const stats = await inspectFiles(expandPaths(files), lang);
  console.log(JSON.stringify(stats, null, 2));
  return stats.errors.some((e) => e.severity === 'error') ? 1 : 0;
}

export async function inspectFiles(files: string[], lang?: string): Promise<DatasetStats> {
  const errors: DiagnosticJSON[] = [];
  const shards: ParsedShard[] = [];
  for (const f of files) {
    try {
      shards.push(await parseShard(shardSourceFromPath(f), lang ? { lang } : {}));
    } catch (e) {
      errors.push(toDiagnostic(e, f));
    }
  }
  if (shards.length === 0) return emptyStats(errors);
  const stats = datasetStats(buildDataset(shards, { errors: 'collect' }));
  return { ...stats, errors: [...errors, ...stats.errors] };
}

function toDiagnostic(e: unknown, file: string): DiagnosticJSON {
  if (isLabError(e)) return (e as LabError).toJSON();
  return { severity: 'error', code: 'internal', message: `${file}: ${e instanceof Error ? e.message : String(e)}`, file };
}
