/** `npm run lab -- inspect` as a user runs it: JSON on stdout, exit code 0 / 1 / 2. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { run } from '../../../src/cli/commands/inspect.ts';
import { fixture, XQUAD_LANGS, XQUAD_R } from './helpers.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSX = `${ROOT}node_modules/.bin/tsx`;

function lab(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(TSX, ['src/cli/lab.ts', 'inspect', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('lab inspect (CLI)', () => {
  it('prints the published XQuAD-R statistics and exits 0', () => {
    const r = lab(...XQUAD_LANGS.map((l) => `${XQUAD_R}${l}.json`));
    expect(r.code, r.stderr).toBe(0);
    const stats = JSON.parse(r.stdout);
    expect(stats.languages).toEqual([...XQUAD_LANGS]);
    expect(stats.queries.de).toBe(1190);
    expect(stats.candidates).toEqual({ ar: 1222, de: 1276, el: 1234, en: 1180, es: 1215, hi: 1244, ru: 1219, th: 852, tr: 1167, vi: 1209, zh: 1196 });
    expect(stats.relevantPerQuery).toEqual({ min: 11, mean: 11, max: 11 });
    expect(stats.errors).toEqual([]);
  });

  it('reports a bad file in errors, keeps the good file, exits 1', () => {
    const r = lab(fixture('lareqa/mini.de.json'), fixture('broken/answer-outside.de.json'));
    expect(r.code).toBe(1);
    const stats = JSON.parse(r.stdout);
    expect(stats.queries).toEqual({ de: 5 });
    expect(stats.errors).toEqual([
      expect.objectContaining({ severity: 'error', code: 'answer-outside-sentences', file: 'answer-outside.de.json', path: 'data[1].paragraphs[0].qas[1].answers[0].answer_start' }),
    ]);
  });

  it('--lang overrides the language of one file, or names that of the files that give none; usage errors exit 2 (in process)', async () => {
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await run([fixture('broken/xquad-r-xx.json'), '--lang', 'fr'])).toBe(0);
      expect(JSON.parse(out[0]!).queries).toEqual({ fr: 5 });
      expect(await run([])).toBe(2);
      expect(await run([fixture('lareqa/mini.de.json'), '--lang'])).toBe(2);
      expect(await run([fixture('lareqa/mini.de.json'), '--columns', 'body'])).toBe(2);
      // With several files, --lang is the language of those whose name and folder give none.
      const dir = mkdtempSync(join(tmpdir(), 'inspect-lang-'));
      copyFileSync(fixture('lareqa/mini.en.json'), join(dir, 'questions.json'));
      out.length = 0;
      expect(await run([fixture('lareqa/mini.de.json'), join(dir, 'questions.json'), '--lang', 'fr'])).toBe(0);
      expect(Object.keys(JSON.parse(out[0]!).queries)).toEqual(['de', 'fr']);
      // Warnings are listed but do not fail the run.
      out.length = 0;
      expect(await run([fixture('miracl/miracl-corpus-v1.0-de-0.jsonl.gz'), fixture('miracl/topics.miracl-v1.0-de-dev.tsv'), fixture('miracl/qrels.miracl-v1.0-de-dev.tsv')])).toBe(0);
      const stats = JSON.parse(out[0]!);
      expect(stats.candidates).toEqual({ de: 3 });
      expect(stats.errors).toEqual([expect.objectContaining({ severity: 'warning', code: 'qrels-docid-not-in-corpus', count: 2 })]);
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
  });
});
