import { describe, expect, it } from 'vitest';
import { commitImport } from '../../../src/store/commit.ts';
import { countShards, listDatasets, loadDataset, removeDataset, shardBytes } from '../../../src/store/datasets.ts';
import { summarizeLanguages } from '../../../src/store/summary.ts';
import { isLabError } from '../../../src/core/errors.ts';
import { freshDb, shard, toyDataset } from './helpers.ts';

async function input(names: [string, string][]) {
  const { dataset, stats } = toyDataset();
  const shards = await Promise.all(names.map(([n, t]) => shard(n, t)));
  return { name: 'toy', shards, dataset, stats, perLanguage: summarizeLanguages(dataset, stats) };
}

async function snapshot(db: Awaited<ReturnType<typeof freshDb>>) {
  return { shards: await db.getAllKeys('shards'), datasets: await db.getAllKeys('datasets'), parsed: await db.getAllKeys('parsed') };
}

describe('commitImport', () => {
  it('stores shards, the dataset record and the parsed cache together', async () => {
    const db = await freshDb();
    const rec = await commitImport(db, await input([['de.json', 'DE'], ['en.json', 'EN']]));
    expect(rec.id).toMatch(/^[0-9a-f]{64}$/);
    expect(await countShards(db)).toBe(2);
    const listed = await listDatasets(db);
    expect(listed.map((d) => d.name)).toEqual(['toy']);
    expect(listed[0]!.shards.map((s) => s.name)).toEqual(['de.json', 'en.json']);
    expect(listed[0]!.perLanguage).toEqual([
      { lang: 'de', queries: 1, candidates: 2, relevantPerQuery: 2 },
      { lang: 'en', queries: 1, candidates: 1, relevantPerQuery: 2 },
    ]);
    const ds = await loadDataset(db, rec.id);
    expect(ds.passages).toHaveLength(3);
    expect(await (await shardBytes(db, rec.shards[0]!.sha256)).text()).toBe('DE');
  });

  it('writes nothing when the transaction fails after the shard blobs were put', async () => {
    const db = await freshDb();
    await commitImport(db, await input([['a.json', 'A']]));
    const before = await snapshot(db);
    const err = await commitImport(db, await input([['b.json', 'B'], ['c.json', 'C']]), {
      afterShards: () => { throw new Error('disk on fire'); },
    }).catch((e: unknown) => e);
    expect(isLabError(err) && err.code).toBe('storage');
    expect(String((err as Error).message)).toContain('disk on fire');
    expect(await snapshot(db)).toEqual(before);
  });

  it('turns QuotaExceededError into a quota-exceeded LabError that gives sizes, and stores nothing', async () => {
    const db = await freshDb();
    const err = await commitImport(db, await input([['big.json', 'x'.repeat(3000)]]), {
      afterShards: () => { throw new DOMException('quota', 'QuotaExceededError'); },
    }).catch((e: unknown) => e);
    expect(isLabError(err) && err.code).toBe('quota-exceeded');
    expect((err as Error).message).toContain('2.9 kB');
    expect(await snapshot(db)).toEqual({ shards: [], datasets: [], parsed: [] });
  });

  it('a cancelled import stores nothing', async () => {
    const db = await freshDb();
    const ctl = new AbortController();
    const err = await commitImport(db, { ...(await input([['a.json', 'A']])), signal: ctl.signal }, { afterShards: () => ctl.abort() }).catch((e: unknown) => e);
    expect(isLabError(err) && err.code).toBe('cancelled');
    expect(await snapshot(db)).toEqual({ shards: [], datasets: [], parsed: [] });
  });

  it('refuses the same shard set twice, naming the stored dataset', async () => {
    const db = await freshDb();
    await commitImport(db, await input([['de.json', 'DE']]));
    const err = await commitImport(db, await input([['renamed-de.json', 'DE']])).catch((e: unknown) => e);
    expect(isLabError(err) && err.code).toBe('duplicate-shard');
    expect((err as Error).message).toContain('renamed-de.json');
    expect((err as Error).message).toContain('"toy"');
    expect(await countShards(db)).toBe(1);
  });

  it('stores a shard shared by two datasets once', async () => {
    const db = await freshDb();
    await commitImport(db, await input([['de.json', 'DE']]));
    await commitImport(db, { ...(await input([['de.json', 'DE'], ['en.json', 'EN']])), name: 'toy2' });
    expect(await countShards(db)).toBe(2);
    expect((await listDatasets(db)).map((d) => d.name).sort()).toEqual(['toy', 'toy2']);
  });
});

describe('removeDataset', () => {
  it('removes the dataset, its cache and only the shards no other dataset uses', async () => {
    const db = await freshDb();
    const a = await commitImport(db, await input([['de.json', 'DE']]));
    const b = await commitImport(db, { ...(await input([['de.json', 'DE'], ['en.json', 'EN']])), name: 'toy2' });
    const r1 = await removeDataset(db, b.id);
    expect(r1.removed).toBe(true);
    expect(r1.deletedShards).toEqual([b.shards[1]!.sha256]);
    expect(await db.getAllKeys('shards')).toEqual([a.shards[0]!.sha256]);
    expect(await db.getAllKeys('parsed')).toEqual([a.id]);
    const r2 = await removeDataset(db, a.id);
    expect(r2.deletedShards).toEqual([a.shards[0]!.sha256]);
    expect(await countShards(db)).toBe(0);
    expect(await listDatasets(db)).toEqual([]);
    expect(await removeDataset(db, a.id)).toEqual({ removed: false, deletedShards: [] });
  });

  it('loadDataset on a removed dataset is a storage LabError', async () => {
    const db = await freshDb();
    const err = await loadDataset(db, 'nope').catch((e: unknown) => e);
    expect(isLabError(err) && err.code).toBe('storage');
  });
});
