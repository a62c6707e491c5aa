/** The bench's results files: printed Markdown tables parsed into rows, and the two files a run writes. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTables, writeReport } from '../../../bench/report.ts';

const LINES = [
  'machine: AMD EPYC, 2 cores',
  '',
  '| shape | implementation | steps/s |',
  '|---|---|---|',
  '| tiny | tfjs-wasm | 2.20 |',
  '| minilm | tfjs-wasm | 0.020 |',
  'launches per step: tiny wasm 158 898 555 1611',
  '| a | b |',
  '|:-|-:|',
  '| 1 | |',
];

describe('bench results', () => {
  it('parses every Markdown table into rows keyed by column', () => {
    expect(parseTables(LINES)).toEqual([
      [{ shape: 'tiny', implementation: 'tfjs-wasm', 'steps/s': '2.20' }, { shape: 'minilm', implementation: 'tfjs-wasm', 'steps/s': '0.020' }],
      [{ a: '1', b: '' }],
    ]);
  });

  it('writes <date>-<machine>.json and .md with the machine and every suite', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-'));
    const { json, md } = writeReport(dir, [{ suite: 'train', argv: ['--smoke'], seconds: 3, lines: LINES, tables: parseTables(LINES) }], new Date('2026-11-30T12:00:00Z'));
    expect(json).toMatch(/2026-11-30-.+\.json$/);
    const j = JSON.parse(readFileSync(json, 'utf8')) as { kind: string; machine: { cores: number }; suites: { suite: string; tables: unknown[][] }[] };
    expect(j.kind).toBe('polyglot-lab/bench-results');
    expect(j.machine.cores).toBeGreaterThan(0);
    expect(j.suites[0]!.tables[0]).toHaveLength(2);
    const text = readFileSync(md, 'utf8');
    expect(text).toMatch(/^# Benchmarks 2026-11-30 12:00 UTC/);
    expect(text).toContain('## train (--smoke; 3 s)');
    expect(text).toContain('| tiny | tfjs-wasm | 2.20 |');
  });
});
