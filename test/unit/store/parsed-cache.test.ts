/**
 * The parsed cache split into parts: a browser stores at most about 133 MB in one IndexedDB value (Chromium
 * refused a 200 MB corpus's parsed dataset: `npm run bench -- store --mb 200`). Here with parts of a few
 * thousand characters, through the real importer: the dataset read back equals the one parsed, every part is
 * under the limit, and removing the dataset removes every part and nothing of another dataset.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shardSourceFromBytes } from '../../../src/core/dataset/shard-source.ts';
import { loadDataset, removeDataset } from '../../../src/store/datasets.ts';
import { importShards } from '../../../src/store/import.ts';
import { parsedRecords, PART_CHARS } from '../../../src/store/parsed-cache.ts';
import { freshDb } from './helpers.ts';

const XQUAD_R = resolve(__dirname, '../../../../shared/data/xquad-r');
const file = (lang: string) => shardSourceFromBytes(`${lang}.json`, new Uint8Array(readFileSync(`${XQUAD_R}/${lang}.json`)));

describe('the parsed cache in parts', () => {
  it('splits a large dataset, reads it back equal, and removes every part with it', async () => {
    const db = await freshDb();
    const big = await importShards(db, [file('de'), file('en')], { name: 'big' }, { faults: { partChars: 200_000 } });
    const small = await importShards(db, [file('th')], { name: 'small' });
    if (!big.ok || !small.ok) throw new Error('import failed');
    const keys = (await db.getAllKeys('parsed')) as string[];
    const parts = keys.filter((k) => k.startsWith(`${big.record.id}\u0000`));
    expect(parts.length).toBeGreaterThanOrEqual(4);
    expect(keys).toContain(small.record.id);
    expect(keys.filter((k) => k.startsWith(small.record.id)).length).toBe(1); // a small dataset stays one record

    const back = await loadDataset(db, big.record.id);
    // The same dataset as parsing the files afresh, in the same order.
    const whole = await freshDb();
    const fresh = await importShards(whole, [file('de'), file('en')], { name: 'big' });
    if (!fresh.ok) throw new Error('import failed');
    expect(await whole.getAllKeys('parsed')).toEqual([fresh.record.id]);
    expect(back).toEqual(await loadDataset(whole, fresh.record.id));
    expect(back.passages).toHaveLength(1276 + 1180);
    expect(back.queries).toHaveLength(2 * 1190);

    await removeDataset(db, big.record.id);
    expect(((await db.getAllKeys('parsed')) as string[])).toEqual([small.record.id]);
    await expect(loadDataset(db, big.record.id)).rejects.toThrow(/not in the browser's storage/);
  });

  it('never puts more than a part\'s characters of text in one record, and refuses a cache missing a part', async () => {
    const db = await freshDb();
    const out = await importShards(db, [file('de')], { name: 'de' }, { faults: { partChars: 100_000 } });
    if (!out.ok) throw new Error('import failed');
    const dataset = await loadDataset(db, out.record.id);
    const records = parsedRecords('x', dataset, 100_000);
    for (const r of records.slice(1)) expect(JSON.stringify(r.part!.items).length).toBeLessThan(100_000 * 1.2 + 2000);
    expect(parsedRecords('x', dataset)).toHaveLength(1); // the default part size takes XQuAD-R whole
    expect(PART_CHARS).toBeGreaterThanOrEqual(16 * 1024 * 1024);
    const keys = ((await db.getAllKeys('parsed')) as string[]).filter((k) => k.includes('\u0000'));
    await db.delete('parsed', keys[1]!);
    await expect(loadDataset(db, out.record.id)).rejects.toThrow(/has \d+ of its \d+ parts/);
  });
});
