/**
 * Never destroy what exists: every command refuses, before any work, an
 * output that is one of its inputs, lies inside a model folder it reads, or
 * names another output; and an interrupted run (SIGTERM, Ctrl-C) leaves no
 * temporary file and no stack trace, only a message.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { run as bm25 } from '../../src/cli/commands/bm25.ts';
import { run as embed } from '../../src/cli/commands/embed.ts';
import { GENERATED_MODELS_DIR } from '../support/mock-hub.ts';
import { XQUAD_R_DIR } from '../support/xquad-slice.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function attempt(f: () => Promise<number>): Promise<string> {
  const spies = [vi.spyOn(console, 'log').mockImplementation(() => {}), vi.spyOn(console, 'error').mockImplementation(() => {}),
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true)];
  try {
    await f();
    return 'no error';
  } catch (e) {
    return (e as Error).message;
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

describe('outputs are checked before any work', () => {
  it('bm25 --out that is an input file is refused and the input is untouched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outputs-'));
    const de = join(dir, 'de.json');
    const en = join(dir, 'en.json');
    copyFileSync(join(XQUAD_R_DIR, 'de.json'), de);
    copyFileSync(join(XQUAD_R_DIR, 'en.json'), en);
    const before = readFileSync(de);
    expect(await attempt(() => bm25([de, en, '--out', de]))).toMatch(/--out would overwrite an input file/);
    expect(await attempt(() => bm25([dir, '--out', join(dir, 'r.json')]))).toMatch(/inside the folder/);
    expect(await attempt(() => bm25([de, en, '--out', join(dir, 'r.json'), '--qrels', join(dir, 'r.json')]))).toMatch(/name the same file/);
    expect(await attempt(() => bm25([de, en, '--out', join(dir, 'no-such-folder', 'r.json')]))).toMatch(/cannot write \(ENOENT\)/);
    expect(readFileSync(de).equals(before)).toBe(true);
  });

  it('embed --out that is its input, or inside the model folder, is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outputs-'));
    const s = join(dir, 's.txt');
    writeFileSync(s, 'Hallo Welt\n');
    const model = join(GENERATED_MODELS_DIR, 'tiny-bert');
    expect(await attempt(() => embed(['--model', model, '--input', s, '--out', s]))).toMatch(/--out would overwrite an input file/);
    const config = readFileSync(join(model, 'config.json'));
    expect(await attempt(() => embed(['--model', model, '--input', s, '--out', join(model, 'config.json')]))).toMatch(/inside the folder/);
    expect(readFileSync(join(model, 'config.json')).equals(config)).toBe(true);
    expect(readFileSync(s, 'utf8')).toBe('Hallo Welt\n');
  });
});

describe('an interrupted run', () => {
  it('SIGTERM during a long run: exit 143, a message, no temporary file, no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigterm-'));
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/lab.ts'), 'bm25', XQUAD_R_DIR, '--out', join(dir, 'r.json'),
      '--run', join(dir, 'run.trec'), '--depth', 'all'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    // Wait until the run file is being written (its temporary file exists), then interrupt.
    const started = Date.now();
    while (!readdirSync(dir).some((f) => f.includes('.tmp-')) && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(dir).some((f) => f.includes('.tmp-'))).toBe(true);
    const code = await new Promise<number | null>((resolve) => {
      const hard = setTimeout(() => child.kill('SIGKILL'), 30_000); // never leave the child running
      child.on('exit', (c) => { clearTimeout(hard); resolve(c); });
      child.kill('SIGTERM');
    });
    expect(code).toBe(143);
    expect(stderr).toMatch(/interrupted \(SIGTERM\): no output was written/);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(join(dir, 'r.json'))).toBe(false);
  });
});

describe('messages name files so the user can tell them apart', () => {
  it('two de.json from different folders are a/de.json and b/de.json', async () => {
    const { displayNames, parseShardsFromPaths } = await import('../../src/cli/load-files.ts');
    expect(displayNames(['/x/a/de.json', '/x/b/de.json', '/x/a/en.json'])).toEqual(['a/de.json', 'b/de.json', 'en.json']);
    expect(displayNames(['/p/a/x/de.json', '/p/b/x/de.json'])).toEqual(['a/x/de.json', 'b/x/de.json']);
    const root = mkdtempSync(join(tmpdir(), 'two-de-'));
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(root, 'good'));
    mkdirSync(join(root, 'bad'));
    copyFileSync(join(XQUAD_R_DIR, 'de.json'), join(root, 'good', 'de.json'));
    writeFileSync(join(root, 'bad', 'de.json'), '{"data": [');
    const err = await parseShardsFromPaths([join(root, 'good', 'de.json'), join(root, 'bad', 'de.json')]).catch((e: Error) => e.message);
    expect(err).toMatch(/^bad\/de\.json/);
  });
});
