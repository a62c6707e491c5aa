/**
 * One fuzz case: parse the bytes (detected or forced format) and build a dataset from the shard. A parser
 * must return a shard or throw a classified LabError; anything else is a problem, described in the result.
 * Runs in a worker thread (test/support/parse-in-worker.ts), so a case that never ends can be stopped.
 */
import { parentPort } from 'node:worker_threads';
import { buildDataset } from '../../src/core/dataset/build.ts';
import { parseShard } from '../../src/core/dataset/parse-shard.ts';
import { shardSourceFromBytes } from '../../src/core/dataset/shard-source.ts';
import { datasetStats } from '../../src/core/dataset/stats.ts';
import type { ShardFormat } from '../../src/core/dataset/types.ts';
import { LabError } from '../../src/core/errors.ts';

export interface ParseCase { name: string; bytes: Uint8Array; chunk: number; format: ShardFormat | undefined }

/** Undefined when the parser behaved, else what it did wrong. */
export async function checkParse({ name, bytes, chunk, format }: ParseCase): Promise<string | undefined> {
  try {
    const shard = await parseShard(shardSourceFromBytes(name, bytes, chunk), format ? { format } : {});
    try {
      datasetStats(buildDataset([shard]));
    } catch (e) {
      if (!(e instanceof LabError) || e.code === 'internal') return `buildDataset threw ${String(e)}`;
    }
    return undefined;
  } catch (e) {
    if (!(e instanceof LabError)) return `threw a non-LabError: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
    // parseShard wraps stray exceptions as 'internal'; a parser must classify every failure itself.
    return e.code === 'internal' ? `unclassified failure: ${e.message}` : undefined;
  }
}

parentPort?.on('message', (c: ParseCase & { id: number }) => {
  void checkParse(c).then((problem) => parentPort!.postMessage({ id: c.id, problem }));
});
