/** Every bad input named in issue 2: the error code, the file, and the place (line or JSON path). */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inspectFiles } from '../../../src/cli/commands/inspect.ts';
import { parseShardsFromPaths, shardSourceFromPath } from '../../../src/cli/load-files.ts';
import { buildDataset } from '../../../src/core/dataset/build.ts';
import { parseShard } from '../../../src/core/dataset/parse-shard.ts';
import { shardSourceFromBytes } from '../../../src/core/dataset/shard-source.ts';
import { expectLabError, fixture, fixtureBytes } from './helpers.ts';

const parsePath = (rel: string, lang?: string) => parseShard(shardSourceFromPath(fixture(rel)), lang ? { lang } : {});

describe('bad input', () => {
  it('invalid JSON → invalid-json with line and column', async () => {
    const e = await expectLabError(parsePath('broken/invalid.de.json'), 'invalid-json', { file: 'invalid.de.json', line: 4 });
    expect(e.message).toMatch(/column 36/);
    expect(e.message).toContain('expected a value');
    expect(e.message.match(/expected/g)).toHaveLength(1);
  });

  it('invalid JSON in a JSONL line → invalid-json at that line', async () => {
    const src = shardSourceFromBytes('miracl-corpus-v1.0-de-0.jsonl', '{"docid":"1","title":"","text":"a"}\n{"docid":"2",\n');
    await expectLabError(parseShard(src), 'invalid-json', { file: 'miracl-corpus-v1.0-de-0.jsonl', line: 2 });
  });

  it('a JSONL line that is not an object → not-an-object with the line', async () => {
    await expectLabError(parsePath('broken/miracl-corpus-v1.0-de-notobject.jsonl'), 'not-an-object', {
      file: 'miracl-corpus-v1.0-de-notobject.jsonl',
      line: 2,
    });
    const pairs = shardSourceFromBytes('train-pairs.jsonl', '{"group":"a","lang":"de","query":"q","positive":"p"}\n\n"just a string"\n');
    await expectLabError(parseShard(pairs), 'not-an-object', { file: 'train-pairs.jsonl', line: 3 });
  });

  it('missing fields → missing-field with the line or JSON path and the expected type', async () => {
    const e = await expectLabError(parsePath('broken/miracl-corpus-v1.0-de-missingtext.jsonl'), 'missing-field', {
      file: 'miracl-corpus-v1.0-de-missingtext.jsonl',
      line: 2,
      path: 'text',
    });
    expect(e.expected).toBe('a string');
    const doc = JSON.parse(new TextDecoder().decode(fixtureBytes('lareqa/mini.en.json')));
    delete doc.data[1].paragraphs[1].sentence_breaks;
    const e2 = await expectLabError(parseShard(shardSourceFromBytes('mini.en.json', JSON.stringify(doc))), 'missing-field', {
      file: 'mini.en.json',
      path: 'data[1].paragraphs[1].sentence_breaks',
    });
    expect(e2.message).toContain('expected an array');
    const noQuestion = JSON.parse(new TextDecoder().decode(fixtureBytes('lareqa/mini.en.json')));
    noQuestion.data[2].paragraphs[0].qas[1].question = 7;
    await expectLabError(parseShard(shardSourceFromBytes('mini.en.json', JSON.stringify(noQuestion))), 'wrong-type', {
      path: 'data[2].paragraphs[0].qas[1].question',
    });
    await expectLabError(parseShard(shardSourceFromBytes('de.json', '{"version": "1.1"}')), 'missing-field', { file: 'de.json', path: 'data' });
    const empty = await expectLabError(parseShard(shardSourceFromBytes('de.json', '{"data": []}')), 'missing-field', { file: 'de.json', path: 'data' });
    expect(empty.message).toContain('no candidate sentences');
    const noQas = JSON.parse(new TextDecoder().decode(fixtureBytes('lareqa/mini.en.json')));
    for (const art of noQas.data) for (const par of art.paragraphs) par.qas = [];
    const e3 = await expectLabError(parseShard(shardSourceFromBytes('en.json', JSON.stringify(noQas))), 'missing-field', { file: 'en.json', path: 'data' });
    expect(e3.message).toContain('no questions');
    const pair = shardSourceFromBytes('pairs.jsonl', '{"group":"a","lang":"de","query":"q","positive":"p"}\n{"group":"b","lang":"de","query":"q"}\n');
    await expectLabError(parseShard(pair), 'missing-field', { file: 'pairs.jsonl', line: 2, path: 'positive' });
    const xl = shardSourceFromBytes('pairs.jsonl', '{"group":"a","query_lang":"de","query":"q","positive":"p"}\n');
    await expectLabError(parseShard(xl), 'missing-field', { line: 1, path: 'passage_lang' });
  });

  it('answer_start outside every sentence break → answer-outside-sentences with the JSON path', async () => {
    const e = await expectLabError(parsePath('broken/answer-outside.de.json'), 'answer-outside-sentences', {
      file: 'answer-outside.de.json',
      path: 'data[1].paragraphs[0].qas[1].answers[0].answer_start',
    });
    expect(e.message).toContain('answer_start 40');
    expect(e.message).toContain('[0,3) [4,7)');
  });

  it('qrels with the wrong column count → qrels-columns with the line', async () => {
    const e = await expectLabError(parsePath('broken/qrels.bad-columns.de.tsv'), 'qrels-columns', { file: 'qrels.bad-columns.de.tsv', line: 3 });
    expect(e.message).toContain('3 columns');
    expect(e.message).toContain('qid Q0 docid rel');
  });

  it('a qrels docid not in the corpus → a warning with a count, not an error', async () => {
    const qrels = shardSourceFromBytes('qrels.miracl-v1.0-de-dev.tsv', '1 Q0 100#0 1\n1 Q0 nope#1 1\n2 Q0 300#0 1\n3 Q0 nope#2 0\n');
    const shards = [
      ...(await parseShardsFromPaths([fixture('miracl/miracl-corpus-v1.0-de-0.jsonl'), fixture('miracl/miracl-corpus-v1.0-de-1.jsonl'), fixture('miracl/topics.miracl-v1.0-de-dev.tsv')])),
      await parseShard(qrels),
    ];
    const ds = buildDataset(shards);
    const w = ds.diagnostics.filter((d) => d.code === 'qrels-docid-not-in-corpus');
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ severity: 'warning', count: 2, file: 'qrels.miracl-v1.0-de-dev.tsv' });
    expect(w[0]!.message).toContain('qrels.miracl-v1.0-de-dev.tsv');
    expect(w[0]!.message).toContain('2 judgments');
    expect(ds.diagnostics.every((d) => d.severity === 'warning')).toBe(true);
  });

  it('an unknown language code → unknown-language, from the name or the override', async () => {
    const e = await expectLabError(parsePath('broken/xquad-r-xx.json'), 'unknown-language', { file: 'xquad-r-xx.json' });
    expect(e.message).toContain('"xx"');
    await expectLabError(parsePath('lareqa/mini.de.json', 'klingon'), 'unknown-language', { file: 'mini.de.json' });
    await expectLabError(parseShard(shardSourceFromBytes('xquad-r.json', '{"data": []}')), 'unknown-language', { file: 'xquad-r.json' });
    const pair = shardSourceFromBytes('pairs.jsonl', '{"group":"a","lang":"de","query":"q","positive":"p"}\n{"group":"a","query_lang":"de","passage_lang":"qq","query":"q","positive":"p"}\n');
    await expectLabError(parseShard(pair), 'unknown-language', { file: 'pairs.jsonl', line: 2, path: 'passage_lang' });
  });

  it('an empty file → empty-file, also when blank or an empty .gz', async () => {
    await expectLabError(parsePath('broken/empty.de.json'), 'empty-file', { file: 'empty.de.json' });
    await expectLabError(parseShard(shardSourceFromBytes('topics.miracl-v1.0-de-dev.tsv', '\n\n  \n')), 'empty-file', { file: 'topics.miracl-v1.0-de-dev.tsv' });
    await expectLabError(parseShard(shardSourceFromBytes('miracl-corpus-v1.0-de-0.jsonl.gz', gzipSync(Buffer.alloc(0)))), 'empty-file', {
      file: 'miracl-corpus-v1.0-de-0.jsonl.gz',
    });
  });

  it('a truncated .gz → truncated-gzip naming the file, at every cut', async () => {
    await expectLabError(parsePath('broken/miracl-corpus-v1.0-de-truncated.jsonl.gz'), 'truncated-gzip', { file: 'miracl-corpus-v1.0-de-truncated.jsonl.gz' });
    const lines = Array.from({ length: 2000 }, (_, i) => `{"docid":"${i}","title":"t","text":"x"}\n`).join('');
    const gz = gzipSync(Buffer.from(lines));
    for (const cut of [3, 10, 30, Math.floor(gz.length / 2), gz.length - 4, gz.length - 1]) {
      const src = shardSourceFromBytes('miracl-corpus-v1.0-de-3.jsonl.gz', gz.subarray(0, cut), 97);
      await expectLabError(parseShard(src), 'truncated-gzip', { file: 'miracl-corpus-v1.0-de-3.jsonl.gz' });
    }
  });

  it('a file of an unknown format → unknown-format naming the file and the formats expected', async () => {
    const e = await expectLabError(parsePath('broken/notes.txt'), 'unknown-format', { file: 'notes.txt' });
    for (const f of ['LAReQA JSON', 'MIRACL corpus', 'topics', 'qrels', 'training pairs']) expect(e.message).toContain(f);
    await expectLabError(parseShard(shardSourceFromBytes('image.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13]))), 'unknown-format', { file: 'image.png' });
    await expectLabError(parseShard(shardSourceFromBytes('stuff.jsonl', '{"a": 1}\n')), 'unknown-format', { file: 'stuff.jsonl' });
  });

  it('the same shard twice → duplicate-shard naming both files', async () => {
    const a = await parsePath('lareqa/mini.de.json');
    const b = await parseShard(shardSourceFromBytes('copy-of-de.json', fixtureBytes('lareqa/mini.de.json')));
    const e = await expectLabError(() => buildDataset([a, b]), 'duplicate-shard', { file: 'copy-of-de.json' });
    expect(e.message).toContain('mini.de.json');
    // Same language, different content: still two "de" files for one dataset.
    const en = await parsePath('lareqa/mini.en.json');
    const other = `${new TextDecoder().decode(fixtureBytes('lareqa/mini.en.json'))}\n`;
    const otherDe = await parseShard(shardSourceFromBytes('german-again.json', other), { lang: 'de' });
    const e2 = await expectLabError(() => buildDataset([a, en, otherDe]), 'duplicate-shard', { file: 'german-again.json' });
    expect(e2.message).toContain('mini.de.json');
    expect(e2.message).toContain('"de"');
    const c0 = await parsePath('miracl/miracl-corpus-v1.0-de-0.jsonl');
    await expectLabError(() => buildDataset([c0, c0]), 'duplicate-shard', { file: 'miracl-corpus-v1.0-de-0.jsonl' });
  });

  it('mixing formats → inconsistent-dataset', async () => {
    const a = await parsePath('lareqa/mini.de.json');
    const c = await parsePath('miracl/miracl-corpus-v1.0-de-0.jsonl');
    await expectLabError(() => buildDataset([a, c]), 'inconsistent-dataset', { file: 'miracl-corpus-v1.0-de-0.jsonl' });
  });

  it('inspect: a bad file is reported in errors without hiding the good files', async () => {
    const stats = await inspectFiles([fixture('lareqa/mini.de.json'), fixture('broken/invalid.de.json'), fixture('lareqa/mini.en.json'), fixture('broken/notes.txt')]);
    expect(stats.languages).toEqual(['de', 'en']);
    expect(stats.queries).toEqual({ de: 5, en: 6 });
    expect(stats.errors.map((e) => [e.code, e.file])).toEqual([
      ['invalid-json', 'invalid.de.json'],
      ['unknown-format', 'notes.txt'],
    ]);
    const dup = await inspectFiles([fixture('lareqa/mini.de.json'), fixture('lareqa/mini.de.json')]);
    expect(dup.queries).toEqual({ de: 5 });
    expect(dup.errors.map((e) => e.code)).toEqual(['duplicate-shard']);
    const none = await inspectFiles([fixture('broken/empty.de.json'), fixture('does-not-exist.json')]);
    expect(none.languages).toEqual([]);
    expect(none.errors.map((e) => e.code)).toEqual(['empty-file', 'invalid-argument']);
  });
});
