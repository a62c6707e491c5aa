/**
 * What a bench run leaves behind: everything the suites print, kept as
 * bench/results/<date>-<machine>.md (the tables as printed, with the machine
 * line each suite starts with) and .json (per suite, its lines and every
 * Markdown table parsed into rows keyed by column), so figures can be compared
 * across runs and machines without re-reading the console.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

export interface SuiteReport {
  suite: string;
  argv: string[];
  seconds: number;
  lines: string[];
  tables: Record<string, string>[][];
}

/** Markdown tables in printed lines: a header row, a |---| row, then rows. */
export function parseTables(lines: readonly string[]): Record<string, string>[][] {
  const tables: Record<string, string>[][] = [];
  const cells = (l: string) => l.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!lines[i]!.trim().startsWith('|') || !/^\s*\|[\s:|-]+\|\s*$/.test(lines[i + 1]!)) continue;
    const head = cells(lines[i]!);
    const rows: Record<string, string>[] = [];
    let j = i + 2;
    for (; j < lines.length && lines[j]!.trim().startsWith('|'); j++) {
      const c = cells(lines[j]!);
      rows.push(Object.fromEntries(head.map((h, k) => [h, c[k] ?? ''])));
    }
    tables.push(rows);
    i = j - 1;
  }
  return tables;
}

/** Runs `f` with console.log copied into the returned lines (still printed). */
export async function capture(f: () => Promise<void>): Promise<{ lines: string[]; seconds: number }> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => {
    const text = args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
    lines.push(...text.split('\n'));
    log(...args);
  };
  const t0 = performance.now();
  try {
    await f();
  } finally {
    console.log = log;
  }
  return { lines, seconds: (performance.now() - t0) / 1000 };
}

export function machineName(): string {
  const cpu = os.cpus()[0]?.model ?? 'cpu';
  return `${os.hostname()}-${cpu}-${os.cpus().length}c`.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/-+/g, '-').slice(0, 80);
}

export function writeReport(dir: string, reports: readonly SuiteReport[], now = new Date()): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const stem = `${now.toISOString().slice(0, 10)}-${machineName()}`;
  const cpu = os.cpus();
  const machine = { cpu: cpu[0]?.model ?? 'unknown', cores: cpu.length, platform: `${os.platform()} ${os.release()}`, node: process.version, memoryGB: Math.round(os.totalmem() / 2 ** 30) };
  const json = join(dir, `${stem}.json`);
  const md = join(dir, `${stem}.md`);
  writeFileSync(json, `${JSON.stringify({ kind: 'polyglot-lab/bench-results', version: 1, date: now.toISOString(), machine, suites: reports }, null, 2)}\n`);
  writeFileSync(md, [`# Benchmarks ${now.toISOString().slice(0, 16).replace('T', ' ')} UTC`, '', `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGB} GB, ${machine.platform}, node ${machine.node}`, '',
    ...reports.flatMap((r) => [`## ${r.suite} (${r.argv.join(' ') || 'defaults'}; ${r.seconds.toFixed(0)} s)`, '', ...r.lines, ''])].join('\n'));
  return { json, md };
}
