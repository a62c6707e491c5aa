/**
 * `npm run lab -- inspect <files…> [--lang xx] [--columns …]`: parses every file, builds one
 * dataset from the good ones and prints datasetStats as JSON. A bad file
 * becomes an entry in "errors" (exit 1) without hiding the others' stats.
 */
import { LabError, isLabError, type DiagnosticJSON } from '../../core/errors.ts';
import { buildDataset } from '../../core/dataset/build.ts';
import { parseShard } from '../../core/dataset/parse-shard.ts';
import { datasetStats, emptyStats } from '../../core/dataset/stats.ts';
import type { DatasetStats, ParsedShard } from '../../core/dataset/types.ts';
import type { ParquetColumns } from '../../core/dataset/parse-parquet.ts';
import { columnsFlag, parseFlags } from '../flags.ts';
import { expandPaths, perFileReading, shardSourceFromPath, type PerFileReading } from '../load-files.ts';

const USAGE = 'usage: npm run lab -- inspect <files or folders…> [--lang xx] [--columns id=col,text=col,…]\n' +
  '  --lang: the language of a single file, or of the files whose name and folder give none\n' +
  '  --columns: Parquet column roles, each file taking those whose columns it has';

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  let files: string[];
  let lang: string | undefined;
  let columns: ParquetColumns | undefined;
  try {
    const f = parseFlags(argv, { lang: 'value', columns: 'value' });
    if (f.positional.length === 0) throw new LabError('invalid-argument', 'no files given');
    files = f.positional;
    lang = f.values.get('lang');
    if (lang === '') throw new LabError('invalid-argument', '--lang needs a language code');
    columns = columnsFlag(f);
  } catch (e) {
    if (!isLabError(e)) throw e;
    console.error(`${(e as LabError).message}\n${USAGE}`);
    return 2;
  }
  const stats = await inspectFiles(expandPaths(files), lang, columns);
  console.log(JSON.stringify(stats, null, 2));
  return stats.errors.some((e) => e.severity === 'error') ? 1 : 0;
}

/**
 * Statistics of the files read as one dataset; a file that fails is listed in `errors`. `lang` overrides the
 * language of a single file, or gives it to the files that name none; `columns` are Parquet roles.
 */
export async function inspectFiles(files: string[], lang?: string, columns?: ParquetColumns): Promise<DatasetStats> {
  const errors: DiagnosticJSON[] = [];
  const shards: ParsedShard[] = [];
  let reading: PerFileReading = { columns: new Map(), langs: new Map() };
  try {
    reading = await perFileReading(files, { columns, lang: files.length === 1 ? undefined : lang });
  } catch (e) {
    errors.push(toDiagnostic(e, files[0] ?? ''));
  }
  for (const f of files) {
    const own = files.length === 1 ? lang : reading.langs.get(f);
    const roles = reading.columns.get(f);
    try {
      shards.push(await parseShard(shardSourceFromPath(f), { ...(own ? { lang: own } : {}), ...(roles ? { columns: roles } : {}) }));
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
