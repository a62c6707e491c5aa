/**
 * One argv parser for the commands: `--flag value`, `--flag=value`, boolean
 * `--flag`, and positional arguments. Unknown flags and missing values are
 * usage errors (LabError 'invalid-argument', printed with the usage, exit 2).
 */
import { LabError } from '../core/errors.ts';
import { PARQUET_ROLES, type ParquetColumns, type ParquetRole } from '../core/dataset/parse-parquet.ts';

export type FlagSpec = Record<string, 'value' | 'boolean'>;

export interface ParsedFlags {
  positional: string[];
  values: Map<string, string>;
  booleans: Set<string>;
}

export function parseFlags(argv: readonly string[], spec: FlagSpec): ParsedFlags {
  const out: ParsedFlags = { positional: [], values: new Map(), booleans: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      out.positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq > 0 ? eq : undefined);
    const kind = spec[name];
    if (!kind) throw new LabError('invalid-argument', `unknown option ${eq > 0 ? arg.slice(0, eq) : arg}`);
    if (kind === 'boolean') {
      if (eq > 0) throw new LabError('invalid-argument', `--${name} takes no value`);
      out.booleans.add(name);
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new LabError('invalid-argument', `--${name} needs a value`);
    if (out.values.has(name)) throw new LabError('invalid-argument', `--${name} is given twice`);
    out.values.set(name, value);
  }
  return out;
}

/** A positive integer flag (or undefined when absent). */
export function intFlag(f: ParsedFlags, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const s = f.values.get(name);
  if (s === undefined) return undefined;
  if (!/^\d+$/.test(s) || Number(s) < min || Number(s) > max) {
    throw new LabError('invalid-argument', `--${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(s)}`);
  }
  return Number(s);
}

export function choiceFlag<T extends string>(f: ParsedFlags, name: string, choices: readonly T[]): T | undefined {
  const s = f.values.get(name);
  if (s === undefined) return undefined;
  if (!(choices as readonly string[]).includes(s)) throw new LabError('invalid-argument', `--${name} must be ${choices.join(', ').replace(/, ([^,]*)$/, ' or $1')}, not ${JSON.stringify(s)}`);
  return s as T;
}

/**
 * `--columns id=doc_key,text=body`: Parquet files' column roles where their names do not say them (the page's
 * "Choose its columns"); each file takes the roles whose columns it has (src/cli/evaluation.ts).
 */
export function columnsFlag(f: ParsedFlags): ParquetColumns | undefined {
  const s = f.values.get('columns');
  if (s === undefined) return undefined;
  const out: ParquetColumns = {};
  for (const part of s.split(',')) {
    const eq = part.indexOf('=');
    const role = part.slice(0, eq).trim();
    const column = part.slice(eq + 1).trim();
    if (eq < 0 || !(PARQUET_ROLES as readonly string[]).includes(role) || column === '') {
      throw new LabError('invalid-argument', `--columns: ${JSON.stringify(part)} is not role=column`, {}, `role=column pairs separated by commas, the roles among ${PARQUET_ROLES.join(', ')} (e.g. --columns id=doc_key,text=body)`);
    }
    if (out[role as ParquetRole] !== undefined) throw new LabError('invalid-argument', `--columns names the ${role} twice`);
    out[role as ParquetRole] = column;
  }
  return out;
}

export function depthFlag(f: ParsedFlags): number | 'all' {
  const s = f.values.get('depth');
  if (s === undefined) return 1000;
  if (s === 'all') return 'all';
  if (/^[1-9]\d*$/.test(s) && Number(s) <= 1_000_000) return Number(s);
  throw new LabError('invalid-argument', `--depth must be a positive integer or "all", not ${JSON.stringify(s)}`);
}

/**
 * A command's arguments: `--help` prints the usage (exit 0); a parse error or a failed `check` prints
 * "error: …" and the usage (exit 2). Otherwise the parsed flags.
 */
export function commandFlags(argv: readonly string[], spec: FlagSpec, usage: string, check: (f: ParsedFlags) => void = () => {}): ParsedFlags | { exit: number } {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    return { exit: 0 };
  }
  try {
    const f = parseFlags(argv, spec);
    check(f);
    return f;
  } catch (e) {
    if (e instanceof LabError) {
      console.error(`error: ${e.message}\n${usage}`);
      return { exit: 2 };
    }
    throw e;
  }
}
