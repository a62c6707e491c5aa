/**
 * A model folder on disk is untrusted: symlinks out of it, FIFOs and devices
 * are refused without reading (a FIFO config.json used to hang even after
 * SIGTERM; a symlink to /dev/zero grew past 6 GB), and JSON errors never
 * quote the file's contents.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderFileProvider } from '../../../src/node/model-folder.ts';
import { loadTextModel } from '../../../src/core/tokenize/text-model.ts';
import { initNodeBackend } from '../../../src/node/backend.ts';
import { GENERATED_MODELS_DIR } from '../../support/mock-hub.ts';

function copyOfTiny(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'hostile-folder-')), 'm');
  cpSync(join(GENERATED_MODELS_DIR, 'tiny-bert'), dir, { recursive: true });
  return dir;
}

describe('model folder provider', () => {
  it('reads regular files and links that stay inside the folder', async () => {
    const dir = copyOfTiny();
    symlinkSync(join(dir, 'config.json'), join(dir, 'alias.json'));
    const files = folderFileProvider(dir);
    expect((await files('alias.json'))!.byteLength).toBe((await files('config.json'))!.byteLength);
    expect(await files('missing.json')).toBeUndefined();
  });

  it('refuses a link out of the folder, a device and a FIFO, naming the file', async () => {
    const dir = copyOfTiny();
    const outside = join(dir, '..', 'secret.json');
    writeFileSync(outside, '{"x": 1}');
    symlinkSync(outside, join(dir, 'leak.json'));
    symlinkSync('/dev/zero', join(dir, 'zero.bin'));
    execFileSync('mkfifo', [join(dir, 'pipe.json')]);
    const files = folderFileProvider(dir);
    await expect(files('leak.json')).rejects.toThrow(/leak\.json: is a link to a file outside the model folder/);
    await expect(files('zero.bin')).rejects.toThrow(/outside the model folder|not a regular file/);
    await expect(files('pipe.json')).rejects.toThrow(/pipe\.json: is not a regular file \(a named pipe\)/);
    await expect(files('../secret.json')).rejects.toThrow(/leaves the model folder/);
  });

  it('a FIFO config.json fails the load at once instead of hanging', async () => {
    await initNodeBackend('cpu');
    const dir = copyOfTiny();
    rmSync(join(dir, 'config.json'));
    execFileSync('mkfifo', [join(dir, 'config.json')]);
    const started = Date.now();
    await expect(loadTextModel(folderFileProvider(dir))).rejects.toThrow(/config\.json: is not a regular file/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a broken config.json is reported without quoting its contents', async () => {
    await initNodeBackend('cpu');
    const dir = copyOfTiny();
    writeFileSync(join(dir, 'config.json'), '{"model_type": SECRET-TOKEN-abc123}');
    const err = await loadTextModel(folderFileProvider(dir)).catch((e: Error) => e.message);
    expect(err).toMatch(/config\.json: is not valid JSON/);
    expect(err).not.toMatch(/SECRET|abc123/);
  });
});
