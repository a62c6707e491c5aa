/** `lab eval` names the problem, before any model work where it can, and writes nothing on failure. */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { run as evalCommand } from '../../../src/cli/commands/eval.ts';
import { isLabError } from '../../../src/core/errors.ts';
import { GENERATED_MODELS_DIR } from '../../support/mock-hub.ts';
import { writeXquadSlice } from '../../support/xquad-slice.ts';

const TINY = join(GENERATED_MODELS_DIR, 'tiny-bert');
let dir: string;
let files: string[];

async function attempt(argv: string[]): Promise<{ code?: number; error?: string; stderr: string }> {
  const err: string[] = [];
  const spies = [vi.spyOn(console, 'log').mockImplementation(() => {}), vi.spyOn(console, 'error').mockImplementation((m) => void err.push(String(m))),
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true)];
  try {
    return { code: await evalCommand(argv), stderr: err.join('\n') };
  } catch (e) {
    expect(isLabError(e)).toBe(true);
    return { error: (e as Error).message, stderr: err.join('\n') };
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'eval-errors-'));
  files = writeXquadSlice(join(dir, 'slice'), { langs: ['de', 'en'], articles: 1 }).files;
});

describe('lab eval errors', () => {
  it('a model folder without weights', async () => {
    const m = join(dir, 'no-weights');
    cpSync(TINY, m, { recursive: true });
    rmSync(join(m, 'model.safetensors'));
    const r = await attempt(['--model', m, ...files, '--out', join(dir, 'o.json')]);
    expect(r.error).toMatch(/model\.safetensors/);
    expect(r.error).toMatch(/no model\.safetensors/);
  });

  it('a dataset file that fails to parse names the file and the position', async () => {
    const bad = join(dir, 'fr.json');
    writeFileSync(bad, '{"data": [ {"title": "x", "paragraphs": [}');
    const r = await attempt(['--model', TINY, bad, '--out', join(dir, 'o.json')]);
    expect(r.error).toMatch(/fr\.json/);
    expect(r.error).toMatch(/JSON|expected/i);
  });

  it('a max length above the model positions', async () => {
    const r = await attempt(['--model', TINY, ...files, '--out', join(dir, 'o.json'), '--max-length', '4096']);
    expect(r.error).toMatch(/max length 4096 is above the model's \d+ positions/);
  });

  it('an unknown backend is a usage error (exit 2)', async () => {
    const r = await attempt(['--model', TINY, ...files, '--out', join(dir, 'o.json'), '--backend', 'cuda']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--backend must be wasm, cpu or webgpu, not "cuda"/);
  });

  it('an empty dataset (a folder with no dataset files, or training pairs only)', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expect((await attempt(['--model', TINY, empty, '--out', join(dir, 'o.json')])).error).toMatch(/no dataset files/);
    const pairs = join(dir, 'pairs.jsonl');
    writeFileSync(pairs, '{"group":"g","lang":"de","query":"Wer?","positive":"Er."}\n');
    expect((await attempt(['--model', TINY, pairs, '--out', join(dir, 'o.json')])).error).toMatch(/no queries and judgments to evaluate/);
  });

  it('an output that is an input, or inside the model folder, is refused before anything runs', async () => {
    expect((await attempt(['--model', TINY, ...files, '--out', files[0]!])).error).toMatch(/--out would overwrite an input file/);
    expect((await attempt(['--model', TINY, ...files, '--out', join(TINY, 'config.json')])).error).toMatch(/inside the folder/);
    expect((await attempt(['--model', TINY, ...files, '--out', join(dir, 'a.json'), '--run', join(dir, 'a.json')])).error).toMatch(/name the same file/);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('--setting that the dataset does not have, and a missing --model', async () => {
    expect((await attempt([...files, '--out', join(dir, 'o.json')])).stderr).toMatch(/--model is required/);
    expect((await attempt(['--model', TINY, ...files, '--out', join(dir, 'o.json'), '--setting', 'all'])).stderr).toMatch(/--setting must be mono, cross or multi/);
  });
});
