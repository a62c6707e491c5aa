/**
 * An experiment as the page runs it (the model worker's code path, IndexedDB
 * through fake-indexeddb, tfjs wasm, real XQuAD-R de/en/zh): every planned run
 * becomes a stored run on the stored dataset, matched by shard hashes although
 * the experiment names its shards by command-line paths; a generated start model
 * is drawn from the given tokenizer.json per seed; a pause stops the experiment
 * and running it again skips the finished run and resumes the paused one; the
 * aggregate is the command line's (aggregateExperiment over the stored runs'
 * trained results). Missing datasets and a missing or wrong tokenizer are
 * refused before anything is stored.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDb } from './helpers.ts';
import { commitImport } from '../../../src/store/commit.ts';
import { summarizeLanguages } from '../../../src/store/summary.ts';
import { sha256Hex } from '../../../src/store/hash.ts';
import { runStoredExperiment, type ExperimentEvent } from '../../../src/store/stored-experiment.ts';
import { startModelLoader } from '../../../src/store/experiment-model.ts';
import { listRuns } from '../../../src/store/train-runs.ts';
import { ModelSession } from '../../../src/core/model/session.ts';
import { aggregateExperiment } from '../../../src/core/experiment/aggregate.ts';
import { parseExperiment } from '../../../src/core/experiment/schema.ts';
import { datasetStats } from '../../../src/core/dataset/stats.ts';
import { initNodeBackend } from '../../../src/node/backend.ts';
import type { LabDatabase } from '../../../src/store/db.ts';
import type { Dataset } from '../../../src/core/dataset/types.ts';
import { loadXquadR, xquadRPaths } from '../eval/xquad-r.ts';

const LANGS = ['de', 'en', 'zh'];
const TOKENIZER = fileURLToPath(new URL('../../../../shared/models/mbert-cased-tokenizer/tokenizer.json', import.meta.url));
let xquad: Dataset;
let tokenizerJson: Uint8Array;

async function storedXquad(db: LabDatabase, langs = LANGS): Promise<void> {
  const shards = await Promise.all(xquadRPaths(langs).map(async (p) => {
    const bytes = new Uint8Array(readFileSync(p));
    const name = p.split('/').at(-1)!;
    return { meta: { sha256: await sha256Hex(bytes), name, format: 'lareqa', lang: name.slice(0, 2), size: bytes.byteLength, addedAt: 1 }, bytes: new Blob([bytes]) };
  }));
  const ds = langs === LANGS ? xquad : await loadXquadR(langs);
  const stats = datasetStats(ds);
  await commitImport(db, { name: 'xquad-r (as imported)', shards, dataset: ds, stats, perLanguage: summarizeLanguages(ds, stats) });
}

/** The experiment file as the command line would have it: shards named by path. */
async function experimentFile(): Promise<unknown> {
  const shards = await Promise.all(xquadRPaths(LANGS).map(async (p) => ({ name: `../../shared/data/xquad-r/${p.split('/').at(-1)}`, sha256: await sha256Hex(new Uint8Array(readFileSync(p))) })));
  return {
    version: 1, kind: 'experiment', name: 'page experiment', seeds: [1],
    samplers: [{ name: 'X-X', sampler: 'xx' }, { name: 'hybrid', sampler: 'hybrid', alpha: { kind: 'constant', alpha: 0.5 } }],
    run: {
      version: 1, kind: 'train', seed: 7, backend: 'wasm',
      model: { source: 'generated', architecture: { layers: 1, hidden: 16, heads: 2, intermediate: 32, maxPositions: 32 }, tokenizer: { name: '../../shared/models/mbert-cased-tokenizer/tokenizer.json', sha256: await sha256Hex(tokenizerJson) } },
      datasets: [{ name: 'xquad-r', split: 'test', shards }],
      tokenization: { maxLength: 24, queryPrefix: '', passagePrefix: '' },
      eval: { settings: ['mono', 'cross', 'multi'], depth: 100, batchSize: 64 },
      train: { data: [{ name: 'xquad-r', split: 'train', shards }], batchSize: 6, steps: 4, lr: 5e-3, warmupSteps: 1, checkpointEvery: 2, splitFractions: { train: 0.6, validation: 0.2, test: 0.2 } },
    },
  };
}

const roomy = async () => ({ usage: 0, quota: 1e12 });

beforeAll(async () => {
  await initNodeBackend('wasm');
  xquad = await loadXquadR(LANGS);
  tokenizerJson = new Uint8Array(readFileSync(TOKENIZER));
});

describe('an experiment run in the page', () => {
  it('trains every planned run on the stored dataset, pauses, resumes skipping the finished run, and aggregates', async () => {
    const db = await freshDb();
    await storedXquad(db);
    const raw = await experimentFile();
    const session = new ModelSession(() => ({ backend: 'wasm', reason: 'test' }));
    const events: ExperimentEvent[] = [];
    const base = { scorer: 'cpu' as const, backend: 'wasm' as const, estimate: roomy, loadStartModel: startModelLoader(session, { tokenizerJson }), onRunEvent: (e: ExperimentEvent) => events.push(e) };

    // Pause during the second run (after its second step).
    let steps = 0;
    const first = await runStoredExperiment(db, session, raw, 'experiment.json', { ...base, onStep: () => void steps++, pauseRequested: () => steps >= 6 });
    expect(first).toEqual({ kind: 'paused', at: 'hybrid-seed1', done: 1, total: 2 });
    expect(events.map((e) => `${e.id} ${e.status}`)).toEqual(['X-X-seed1 training', 'hybrid-seed1 training']);
    let runs = await listRuns(db);
    expect(runs.map((r) => r.status).sort()).toEqual(['done', 'paused']);
    // Stored with the stored dataset's names, the experiment's hashes and the planned sampler.
    const xx = runs.find((r) => r.status === 'done')!;
    expect(xx.config.datasets[0]!.name).toBe('xquad-r (as imported)');
    expect(xx.config.train!.sampler).toBe('xx');
    expect(xx.model.label).toBe('generated-bert-L1-H16 (seed 1)');

    events.length = 0;
    // A reload: a fresh session (no model loaded) runs the same file again.
    const reloaded = new ModelSession(() => ({ backend: 'wasm', reason: 'reloaded' }));
    const second = await runStoredExperiment(db, reloaded, raw, 'experiment.json', { ...base, loadStartModel: startModelLoader(reloaded, { tokenizerJson }) });
    expect(events.map((e) => `${e.id} ${e.status}`)).toEqual(['X-X-seed1 skipped', 'hybrid-seed1 resuming']);
    expect(second.kind).toBe('done');
    if (second.kind !== 'done') return;
    runs = await listRuns(db);
    expect(runs).toHaveLength(2);
    expect(runs.every((r) => r.status === 'done')).toBe(true);
    const hybrid = runs.find((r) => r.config.train!.sampler === 'hybrid')!;
    expect(hybrid.history.map((h) => h.step)).toEqual([1, 2, 3, 4]);
    // The aggregate is the command line's function over the stored trained results.
    const expected = aggregateExperiment(parseExperiment(raw), [
      { id: 'X-X-seed1', sampler: 'X-X', seed: 1, trained: xx.trained! },
      { id: 'hybrid-seed1', sampler: 'hybrid', seed: 1, trained: hybrid.trained! },
    ]);
    expect(second.results).toEqual(expected);
    expect(second.results.tables[0]!.rows.map((r) => r.sampler)).toEqual(['X-X', 'hybrid']);
    expect(second.results.tables[0]!.rows[0]!.settings.mono!.mean).toBeCloseTo(xx.trained![0]!.settings.mono!.macro.map, 12);
    expect(second.runIds.sort()).toEqual(runs.map((r) => r.id).sort());

    // Both runs started from the same generated weights (same seed): the same base results.
    expect(hybrid.base![0]!.settings.mono!.macro.map).toBe(xx.base![0]!.settings.mono!.macro.map);
  }, 300_000);

  it('names the missing dataset and the missing or wrong tokenizer, and stores nothing', async () => {
    const db = await freshDb();
    const raw = await experimentFile();
    const session = new ModelSession(() => ({ backend: 'wasm', reason: 'test' }));
    const base = { scorer: 'cpu' as const, backend: 'wasm' as const, estimate: roomy };
    await storedXquad(db, ['de', 'en']); // not the experiment's three shards
    await expect(runStoredExperiment(db, session, raw, 'experiment.json', { ...base, loadStartModel: startModelLoader(session, { tokenizerJson }) }))
      .rejects.toMatchObject({ code: 'invalid-argument', location: { path: 'run.train.data[0]' }, message: expect.stringMatching(/"xquad-r" is not stored/) });

    const db2 = await freshDb();
    await storedXquad(db2);
    await expect(runStoredExperiment(db2, session, raw, 'experiment.json', { ...base, loadStartModel: startModelLoader(session, {}) }))
      .rejects.toMatchObject({ location: { path: 'run.model.tokenizer' }, message: expect.stringMatching(/no tokenizer.json was given/) });
    await expect(runStoredExperiment(db2, session, raw, 'experiment.json', { ...base, loadStartModel: startModelLoader(session, { tokenizerJson: new TextEncoder().encode('{}') }) }))
      .rejects.toMatchObject({ location: { path: 'run.model.tokenizer' }, message: expect.stringMatching(/has SHA-256 [0-9a-f]{12}…, not the experiment's/) });
    expect(await listRuns(db2)).toEqual([]);
    // A broken experiment file is a schema error naming the field.
    await expect(runStoredExperiment(db2, session, { ...(raw as object), seeds: [] }, 'experiment.json', { ...base, loadStartModel: startModelLoader(session, { tokenizerJson }) }))
      .rejects.toMatchObject({ location: { file: 'experiment.json', path: 'seeds' } });
  }, 120_000);
});
