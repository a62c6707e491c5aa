/**
 * Node only: what a RunConfig file names, found on disk. A RunConfig names
 * files by name and SHA-256 (so a share link never carries paths); on the
 * command line a shard's or tokenizer's name is a path relative to the
 * config file, and its bytes must hash to the recorded SHA-256, or the run
 * stops before any step, naming the entry.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LabError } from '../core/errors.ts';
import type { Dataset } from '../core/dataset/types.ts';
import { cutToSplit } from '../core/train/run.ts';
import type { DatasetRef, RunConfig } from '../core/run-config.ts';
import { datasetFromShards, parseShardsFromPaths } from '../cli/load-files.ts';

async function sha256Of(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** The file a config entry names, after checking that it exists and has the recorded content. */
export async function verifiedFile(name: string, sha256: string, configDir: string, where: string): Promise<string> {
  const path = resolve(configDir, name);
  if (!existsSync(path)) throw new LabError('invalid-argument', `file "${name}" does not exist (looked for ${path})`, { path: where }, 'a path relative to the config file');
  const got = await sha256Of(path);
  if (got !== sha256) {
    throw new LabError('invalid-argument', `"${name}" has SHA-256 ${got.slice(0, 12)}…, not the ${sha256.slice(0, 12)}… the config records`, { path: where }, 'the same file the config was written for');
  }
  return path;
}

/** A dataset of the config: its shards verified, parsed, built, and cut to its split. */
export async function datasetOfRef(ref: DatasetRef, configDir: string, where: string, config: Pick<RunConfig, 'seed' | 'train'>): Promise<Dataset> {
  const paths = await Promise.all(ref.shards.map((s, i) => verifiedFile(s.name, s.sha256, configDir, `${where}.shards[${i}]`)));
  const byPath = new Map(paths.map((p, i) => [p, ref.shards[i]!] as const));
  const shards = await parseShardsFromPaths(paths, { columnsOf: (p) => byPath.get(p)?.columns, langOf: (p) => byPath.get(p)?.lang });
  const ds = datasetFromShards(paths, shards, { name: ref.name });
  return cutToSplit(ds, ref.split, config);
}

export async function readConfigFile(path: string): Promise<{ raw: unknown; dir: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new LabError('invalid-argument', `cannot read the config (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { file: path }, 'a RunConfig JSON file');
  }
  try {
    return { raw: JSON.parse(text) as unknown, dir: dirname(resolve(path)) };
  } catch (e) {
    throw new LabError('invalid-json', `is not JSON (${(e as Error).message.split('"')[0]!.trim()})`, { file: path }, 'a RunConfig JSON file');
  }
}
