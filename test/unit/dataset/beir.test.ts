/**
 * BEIR / MTEB retrieval layout (corpus.jsonl with _id, queries.jsonl, qrels/<split>.tsv with a header; one
 * language per folder, plain or gzipped), written by the test, end to end through the CLI's folder loading,
 * parseShard and buildDataset; several languages reusing the same ids (a parallel BEIR source, or MIRACL's
 * per-language ids) are namespaced by language, evaluated per language like MIRACL, and exported with the
 * files' ids. Then the bad-input catalogue for the layout.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadDatasetFromPaths } from '../../../src/cli/load-files.ts';
import { bm25Model } from '../../../src/core/bm25/search.ts';
import { buildDataset } from '../../../src/core/dataset/build.ts';
import { parseShard } from '../../../src/core/dataset/parse-shard.ts';
import { shardSourceFromBytes } from '../../../src/core/dataset/shard-source.ts';
import { evaluateDataset, settingQrels } from '../../../src/core/eval/evaluate.ts';
import { expectLabError } from './helpers.ts';

const DOCS: Record<string, [string, string, string][]> = {
  de: [['d1', 'Berlin', 'Berlin ist die Hauptstadt von Deutschland.'], ['d2', 'Rhein', 'Der Rhein fließt durch Basel und Köln.'], ['d3', 'Alpen', 'Die Zugspitze ist der höchste Berg Deutschlands.']],
  fr: [['d1', 'Berlin', 'Berlin est la capitale de l\'Allemagne.'], ['d2', 'Rhin', 'Le Rhin traverse Bâle et Cologne.'], ['d3', 'Alpes', 'La Zugspitze est le plus haut sommet d\'Allemagne.']],
};
const QUERIES: Record<string, [string, string][]> = {
  de: [['q1', 'Was ist die Hauptstadt von Deutschland?'], ['q2', 'Wodurch fließt der Rhein?']],
  fr: [['q1', 'Quelle est la capitale de l\'Allemagne ?'], ['q2', 'Où coule le Rhin ?']],
};
const QRELS = 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n';

/** beir-de/ and beir-fr/ folders; fr's corpus gzipped. */
function writeBeir(root: string): string[] {
  return ['de', 'fr'].map((lang) => {
    const dir = join(root, `beir-${lang}`);
    mkdirSync(join(dir, 'qrels'), { recursive: true });
    const corpus = DOCS[lang]!.map(([id, title, text]) => JSON.stringify({ _id: id, title, text })).join('\n') + '\n';
    if (lang === 'fr') writeFileSync(join(dir, 'corpus.jsonl.gz'), gzipSync(corpus));
    else writeFileSync(join(dir, 'corpus.jsonl'), corpus);
    writeFileSync(join(dir, 'queries.jsonl'), QUERIES[lang]!.map(([id, text]) => JSON.stringify({ _id: id, text, metadata: {} })).join('\n') + '\n');
    writeFileSync(join(dir, 'qrels', 'test.tsv'), QRELS);
    return dir;
  });
}

describe('BEIR layout', () => {
  it('loads one folder per language; ids shared across languages are namespaced, evaluated per language, exported as in the files', async () => {
    const [de, fr] = writeBeir(mkdtempSync(join(tmpdir(), 'beir-')));
    const one = await loadDatasetFromPaths([de!]);
    expect(one.format).toBe('miracl');
    expect(one.languages).toEqual(['de']);
    expect(one.passages.map((p) => p.id)).toEqual(['d1', 'd2', 'd3']);
    expect(one.passages[0]).toEqual({ id: 'd1', lang: 'de', title: 'Berlin', text: 'Berlin ist die Hauptstadt von Deutschland.' });
    expect(one.queries.map((q) => q.id)).toEqual(['q1', 'q2']);
    expect({ ...one.qrels }).toEqual({ q1: { d1: 1 }, q2: { d2: 1 } });
    expect(one.diagnostics).toEqual([]);

    // Two folders of one parallel source (the same query and document ids): namespaced, and evaluated in all
    // three settings, a translation of a relevant document being relevant in every language.
    const both = await loadDatasetFromPaths([de!, fr!]);
    expect(both.languages).toEqual(['de', 'fr']);
    expect(both.parallel).toBe(true);
    expect(both.passages.map((p) => p.id)).toEqual(['de:d1', 'de:d2', 'de:d3', 'fr:d1', 'fr:d2', 'fr:d3']);
    expect(both.passages[3]).toMatchObject({ id: 'fr:d1', sourceId: 'd1', lang: 'fr' });
    expect(both.queries.map((q) => [q.id, q.sourceId, q.group])).toEqual([['de:q1', 'q1', 'q1'], ['de:q2', 'q2', 'q2'], ['fr:q1', 'q1', 'q1'], ['fr:q2', 'q2', 'q2']]);
    expect({ ...both.qrels }).toEqual({
      'de:q1': { 'de:d1': 1, 'fr:d1': 1 }, 'de:q2': { 'de:d2': 1, 'fr:d2': 1 }, 'fr:q1': { 'fr:d1': 1, 'de:d1': 1 }, 'fr:q2': { 'fr:d2': 1, 'de:d2': 1 },
    });
    expect(both.diagnostics).toEqual([expect.objectContaining({ code: 'ids-namespaced', message: expect.stringMatching(/docid "d1" is in de and fr.*taken as translations/) })]);
    const r = await evaluateDataset(both, bm25Model());
    expect(Object.keys(r.settings)).toEqual(['mono', 'cross', 'multi']);
    expect(Object.keys(r.settings.cross!.pairs).sort()).toEqual(['de-fr', 'fr-de']);
    expect(r.settings.mono!.macro.ndcg_cut_10).toBeCloseTo(1, 12);
    expect(r.languageBias!.byQueryLang.de).toBeGreaterThanOrEqual(0);
    expect(r.perQuery!.metrics).toEqual(['ndcg_cut_10', 'recall_100']);
    expect(Object.keys(r.perQuery!.rankDistance!)).toEqual(['de', 'fr']);
    // Its exports keep the lab's ids: in the multilingual pool the files' ids repeat once per language.
    expect(settingQrels(both, 'cross')).toContainEqual({ qid: 'de:q1@fr', docid: 'fr:d1', rel: 1 });

    // Languages whose ids merely collide (another document set): namespaced, mono only, exported with the files' ids.
    writeFileSync(join(fr!, 'corpus.jsonl.gz'), gzipSync(DOCS.fr!.slice(0, 2).map(([id, title, text]) => JSON.stringify({ _id: id, title, text })).join('\n') + '\n'));
    const apart = await loadDatasetFromPaths([de!, fr!]);
    expect(apart.parallel).toBeUndefined();
    expect(apart.queries.map((q) => q.group)).toEqual(['de:q1', 'de:q2', 'fr:q1', 'fr:q2']);
    expect({ ...apart.qrels }).toEqual({ 'de:q1': { 'de:d1': 1 }, 'de:q2': { 'de:d2': 1 }, 'fr:q1': { 'fr:d1': 1 }, 'fr:q2': { 'fr:d2': 1 } });
    const ra = await evaluateDataset(apart, bm25Model());
    expect(Object.keys(ra.settings)).toEqual(['mono']);
    expect(Object.keys(ra.settings.mono!.pairs).sort()).toEqual(['de-de', 'fr-fr']);
    expect(settingQrels(apart, 'mono')).toEqual([
      { qid: 'q1', docid: 'd1', rel: 1 }, { qid: 'q2', docid: 'd2', rel: 1 }, { qid: 'q1', docid: 'd1', rel: 1 }, { qid: 'q2', docid: 'd2', rel: 1 },
    ]);
    const lines: string[] = [];
    await evaluateDataset(apart, bm25Model(), { run: { setting: 'mono', depth: 3, write: (q: string, docs: string[]) => lines.push(`${q} ${docs.join(',')}`) } as never });
    expect(lines.every((l) => !l.includes(':'))).toBe(true);
    expect(lines).toHaveLength(4);
  });

  it('MIRACL shards of two languages with clashing ids are namespaced; a qrels file without a language is then refused', async () => {
    // MIRACL numbers each language's documents and topics on its own: the same ids, not the same documents.
    const corpus = (lang: string) => shardSourceFromBytes(`miracl-corpus-v1.0-${lang}-0.jsonl`, `{"docid":"1#0","title":"t","text":"x"}\n${lang === 'sw' ? '{"docid":"2#0","title":"t","text":"y"}\n' : ''}`);
    const topics = (lang: string) => shardSourceFromBytes(`topics.miracl-v1.0-${lang}-dev.tsv`, '1\tquery\n');
    const shards = await Promise.all([corpus('de'), corpus('sw'), topics('de'), topics('sw'), shardSourceFromBytes('qrels.miracl-v1.0-sw-dev.tsv', '1 Q0 1#0 1\n')].map((s) => parseShard(s)));
    const ds = buildDataset(shards);
    expect(ds.passages.map((p) => p.id)).toEqual(['de:1#0', 'sw:1#0', 'sw:2#0']);
    expect(ds.parallel).toBeUndefined();
    expect({ ...ds.qrels }).toEqual({ 'sw:1': { 'sw:1#0': 1 } });
    const anonymous = await parseShard(shardSourceFromBytes('qrels.tsv', '1 Q0 1#0 1\n'));
    await expectLabError(() => buildDataset([...shards, anonymous]), 'unknown-language', { file: 'qrels.tsv' });
    // One language: ids stay as they are, a repeat is still an error.
    const again = await parseShard(shardSourceFromBytes('miracl-corpus-v1.0-de-1.jsonl', '{"docid":"1#0","title":"t","text":"y"}\n'));
    await expectLabError(() => buildDataset([shards[0]!, again]), 'duplicate-id', { file: 'miracl-corpus-v1.0-de-1.jsonl' });
  });

  it('takes the language of qrels/<split>.tsv from the dataset folder, and refuses bad BEIR input with the place named', async () => {
    const withPath = (name: string, text: string | Uint8Array, path: string) => ({ ...shardSourceFromBytes(name, text), path });
    const q = await parseShard(withPath('test.tsv', QRELS, 'mmarco-de/qrels/test.tsv'));
    expect(q.format === 'miracl-qrels' && q.lang).toBe('de');
    const c = await parseShard(withPath('corpus.jsonl', '{"_id":"a","title":"","text":"x"}\n', 'mmarco-pt/corpus.jsonl'));
    expect(c.format === 'miracl-corpus' && c.lang).toBe('pt');

    // A corpus line without text, an id of the wrong type, an empty queries file, a bad header, a short row.
    await expectLabError(parseShard(withPath('corpus.jsonl', '{"_id":"a","title":"t","text":"x"}\n{"_id":"b","title":"t"}\n', 'beir-de/corpus.jsonl')), 'missing-field', { file: 'corpus.jsonl', line: 2, path: 'text' });
    await expectLabError(parseShard(withPath('queries.jsonl', '{"_id":{"x":1},"text":"q"}\n', 'beir-de/queries.jsonl')), 'wrong-type', { file: 'queries.jsonl', line: 1, path: '_id' });
    await expectLabError(parseShard(withPath('queries.jsonl', '', 'beir-de/queries.jsonl')), 'empty-file', { file: 'queries.jsonl' });
    await expectLabError(parseShard(withPath('test.tsv', 'query-id\tcorpus-id\n', 'beir-de/qrels/test.tsv')), 'qrels-columns', { file: 'test.tsv', line: 1 });
    await expectLabError(parseShard(withPath('test.tsv', 'query-id\tcorpus-id\tscore\nq1\td1\n', 'beir-de/qrels/test.tsv')), 'qrels-columns', { file: 'test.tsv', line: 2 });
    await expectLabError(parseShard(withPath('test.tsv', 'query-id\tcorpus-id\tscore\nq1\td1\tvery\n', 'beir-de/qrels/test.tsv')), 'wrong-type', { file: 'test.tsv', line: 2 });
    // A truncated gzip corpus.
    const gz = gzipSync(Array.from({ length: 400 }, (_, i) => JSON.stringify({ _id: `d${i}`, title: 't', text: `passage number ${i * 7919}` })).join('\n'));
    await expectLabError(parseShard(withPath('corpus.jsonl.gz', gz.subarray(0, gz.length - 20), 'beir-de/corpus.jsonl.gz')), 'truncated-gzip', { file: 'corpus.jsonl.gz' });
    // A judgment naming a document the corpus does not have: kept, with a counted warning.
    const shards = await Promise.all([
      withPath('corpus.jsonl', '{"_id":"d1","title":"","text":"x"}\n', 'b-de/corpus.jsonl'),
      withPath('queries.jsonl', '{"_id":"q1","text":"x"}\n', 'b-de/queries.jsonl'),
      withPath('test.tsv', 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\tnope\t1\n', 'b-de/qrels/test.tsv'),
    ].map((s) => parseShard(s)));
    expect(buildDataset(shards).diagnostics).toEqual([expect.objectContaining({ code: 'qrels-docid-not-in-corpus', count: 1 })]);
  });
});
