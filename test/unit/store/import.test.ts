/**
 * The importer on real XQuAD-R files and on broken input: every outcome is
 * checked against what ends up in (fake) IndexedDB.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shardSourceFromBytes, type ShardSource } from '../../../src/core/dataset/shard-source.ts';
import { listDatasets, loadDataset } from '../../../src/store/datasets.ts';
import { importShards, probeSources } from '../../../src/store/import.ts';
import type { ImportProgress } from '../../../src/store/import-types.ts';
import { freshDb } from './helpers.ts';

const XQUAD_R = resolve(__dirname, '../../../../shared/data/xquad-r');
const LANGS = readdirSync(XQUAD_R).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, 2)).sort();
const CANDIDATES: Record<string, number> = {
  ar: 1222, de: 1276, el: 1234, en: 1180, es: 1215, hi: 1244, ru: 1219, th: 852, tr: 1167, vi: 1209, zh: 1196,
};
const bytesOf = new Map(LANGS.map((l) => [l, readFileSync(join(XQUAD_R, `${l}.json`))]));
const xq = (lang: string, name = `${lang}.json`): ShardSource => shardSourceFromBytes(name, new Uint8Array(bytesOf.get(lang)!), 256 * 1024);

const ANSWER_OUTSIDE = JSON.stringify({
  data: [{ title: 'T', paragraphs: [{
    context: 'One. Two.', sentences: ['One.', 'Two.'], sentence_breaks: [[0, 4], [5, 9]],
    qas: [{ id: 'q1', question: 'What?', answers: [{ text: 'x', answer_start: 42 }] }],
  }] }],
});

async function everything(db: Awaited<ReturnType<typeof freshDb>>) {
  return { shards: await db.count('shards'), datasets: await db.count('datasets'), parsed: await db.count('parsed') };
}

describe('importShards on XQuAD-R', () => {
  it('stores the 11 files as one dataset with the published counts, and caches the parsed dataset', async () => {
    const db = await freshDb();
    const progress: ImportProgress[] = [];
    const out = await importShards(db, LANGS.map((l) => xq(l)), { name: 'xquad-r' }, { onProgress: (p) => progress.push(p) });
    if (!out.ok) throw new Error(JSON.stringify(out.errors));
    const rec = out.record;
    expect(rec.name).toBe('xquad-r');
    expect(rec.format).toBe('lareqa');
    expect(rec.perLanguage.map((l) => l.lang)).toEqual(LANGS);
    for (const l of rec.perLanguage) {
      expect(l.queries).toBe(1190);
      expect(l.candidates).toBe(CANDIDATES[l.lang]);
      expect(l.relevantPerQuery).toBe(11);
    }
    expect(rec.perLanguage.reduce((s, l) => s + l.candidates, 0)).toBe(13_014);
    expect(rec.stats.relevantPerQuery).toEqual({ min: 11, mean: 11, max: 11 });
    expect(rec.shards.map((s) => [s.name, s.lang, s.format])).toEqual(LANGS.map((l) => [`${l}.json`, l, 'lareqa']));
    expect(rec.shards.map((s) => s.size)).toEqual(LANGS.map((l) => bytesOf.get(l)!.length));

    // Progress: bytes only grow, end at the total, and every phase shows up.
    const total = LANGS.reduce((s, l) => s + bytesOf.get(l)!.length, 0);
    expect(progress.every((p) => p.bytesTotal === total)).toBe(true);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.bytesDone).toBeGreaterThanOrEqual(progress[i - 1]!.bytesDone);
    expect(new Set(progress.map((p) => p.phase))).toEqual(new Set(['parsing', 'building', 'saving']));
    expect(progress.at(-1)!.bytesDone).toBe(total);

    // What a reload sees: the record list and the cached parse, byte-identical shards.
    expect((await listDatasets(db)).map((d) => d.id)).toEqual([rec.id]);
    const ds = await loadDataset(db, rec.id);
    expect(ds.passages).toHaveLength(13_014);
    expect(ds.queries).toHaveLength(13_090);
    expect(ds.passages[0]!.id).toBe('ar/0/0/0');
    const stored = await db.get('shards', rec.shards[0]!.sha256);
    // Buffer.equals, not toEqual: a deep diff of 2 MB of bytes takes vitest half a minute.
    expect(Buffer.from(await stored!.bytes.arrayBuffer()).equals(bytesOf.get('ar')!)).toBe(true);
  });

  it('one broken file among good ones: every error listed, nothing stored, the earlier dataset intact', async () => {
    const db = await freshDb();
    const first = await importShards(db, [xq('en')]);
    expect(first.ok).toBe(true);
    const before = await everything(db);
    const out = await importShards(db, [
      xq('de'),
      shardSourceFromBytes('xquad-r-es.json', '{"data": [{"title": "T",\n "paragraphs": ['),
      shardSourceFromBytes('xquad-r-fr.json', ANSWER_OUTSIDE),
      xq('el'),
    ]);
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.errors.map((e) => [e.file, e.code])).toEqual([
      ['xquad-r-es.json', 'invalid-json'],
      ['xquad-r-fr.json', 'answer-outside-sentences'],
    ]);
    expect(out.errors[0]!.line).toBe(2);
    expect(out.errors[1]!.path).toBe('data[0].paragraphs[0].qas[0].answers[0].answer_start');
    expect(await everything(db)).toEqual(before);
    expect((await listDatasets(db)).map((d) => d.perLanguage)).toEqual([[{ lang: 'en', queries: 1190, candidates: 1180, relevantPerQuery: 1 }]]);
  });

  it('the same bytes twice in one import is a duplicate-shard error naming both files', async () => {
    const db = await freshDb();
    const out = await importShards(db, [xq('de'), xq('de', 'xquad-r-de-copy.json')]);
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.errors).toHaveLength(1);
    expect(out.errors[0]!.code).toBe('duplicate-shard');
    expect(out.errors[0]!.file).toBe('xquad-r-de-copy.json');
    expect(out.errors[0]!.message).toContain('de.json');
    expect(await everything(db)).toEqual({ shards: 0, datasets: 0, parsed: 0 });
  });

  it('re-importing a stored shard set is refused, naming the stored dataset', async () => {
    const db = await freshDb();
    expect((await importShards(db, [xq('de')], { name: 'first' })).ok).toBe(true);
    const out = await importShards(db, [xq('de', 'renamed.de.json')]);
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.errors[0]!.message).toMatch(/already stored as dataset "first"/);
    expect(await everything(db)).toEqual({ shards: 1, datasets: 1, parsed: 1 });
  });

  it('cancelling mid-parse stores nothing', async () => {
    const db = await freshDb();
    const ctl = new AbortController();
    const out = await importShards(db, [xq('de'), xq('en')], {}, {
      signal: ctl.signal,
      onProgress: (p) => { if (p.file === 'en.json') ctl.abort(); },
    });
    expect(out).toEqual({ ok: false, errors: [expect.objectContaining({ code: 'cancelled' })] });
    expect(await everything(db)).toEqual({ shards: 0, datasets: 0, parsed: 0 });
  });

  it('a storage failure after the shard blobs were written rolls the whole import back', async () => {
    const db = await freshDb();
    const out = await importShards(db, [xq('de'), xq('en')], {}, { faults: { afterShards: () => { throw new DOMException('full', 'QuotaExceededError'); } } });
    expect(out.ok).toBe(false);
    if (!out.ok) {
      expect(out.errors[0]!.code).toBe('quota-exceeded');
      expect(out.errors[0]!.message).toMatch(/2 file\(s\) \(1\.3 MB of shards/);
    }
    expect(await everything(db)).toEqual({ shards: 0, datasets: 0, parsed: 0 });
  });

  it('a language chosen in the UI overrides the file name', async () => {
    const db = await freshDb();
    const probed = await probeSources([xq('de', 'questions.json')]);
    expect(probed).toEqual([{ name: 'questions.json', size: bytesOf.get('de')!.length, format: 'lareqa', lang: null, needsLang: true }]);
    const refused = await importShards(db, [xq('de', 'questions.json')]);
    expect(!refused.ok && refused.errors[0]!.code).toBe('unknown-language');
    const out = await importShards(db, [xq('de', 'questions.json')], { languages: ['de'] });
    expect(out.ok && out.record.shards[0]!.lang).toBe('de');
    expect(out.ok && out.record.perLanguage[0]!.queries).toBe(1190);
  });

  it('probe tells format and language from the name and first bytes, and why a file is not a shard', async () => {
    const probed = await probeSources([
      xq('zh', 'mlqa-r.zh.json'),
      shardSourceFromBytes('notes.bin', new Uint8Array([0, 1, 2, 3])),
      shardSourceFromBytes('train.jsonl', '{"group":"q1","lang":"de","query":"a","positive":"b"}\n'),
      shardSourceFromBytes('empty.jsonl', ''),
    ]);
    expect(probed.map((p) => [p.format, p.lang, p.needsLang, p.error?.code])).toEqual([
      ['lareqa', 'zh', true, undefined],
      [null, null, false, 'unknown-format'],
      ['pairs', null, false, undefined],
      [null, null, false, 'empty-file'],
    ]);
  });

  it('a folder path names the language when the file name has none, and is the stored shard name', async () => {
    const db = await freshDb();
    const corpus = shardSourceFromBytes('docs-0.jsonl', '{"docid":"1#0","title":"Nairobi","text":"Nairobi ni mji mkuu."}\n{"docid":"1#1","title":"Nairobi","text":"Mji mkubwa."}\n');
    const topics = shardSourceFromBytes('topics.tsv', '7\tMji mkuu wa Kenya?\n');
    const qrels = shardSourceFromBytes('qrels.txt', '7 Q0 1#0 1\n');
    const paths = ['miracl-sw/docs-0.jsonl', 'miracl-sw/topics.tsv', 'miracl-sw/qrels.txt'];
    const probed = await probeSources([corpus, topics, qrels], paths);
    expect(probed.map((p) => [p.format, p.lang])).toEqual([['miracl-corpus', 'sw'], ['miracl-topics', 'sw'], ['miracl-qrels', 'sw']]);
    const out = await importShards(db, [corpus, topics, qrels], { paths });
    if (!out.ok) throw new Error(JSON.stringify(out.errors));
    expect(out.record.format).toBe('miracl');
    expect(out.record.shards.map((s) => [s.name, s.lang])).toEqual([['miracl-sw/docs-0.jsonl', 'sw'], ['miracl-sw/topics.tsv', 'sw'], ['miracl-sw/qrels.txt', 'sw']]); // qrels take the folder's language like corpus shards
    expect(out.record.perLanguage).toEqual([{ lang: 'sw', queries: 1, candidates: 2, relevantPerQuery: 1 }]);
  });
});
