/**
 * buildDataset: one Dataset from parsed shards of one format. Links LAReQA
 * questions across languages by question id, merges MIRACL corpus shards,
 * topics and qrels, refuses a shard given twice, and records warnings
 * (qrels docids missing from the corpus) as counted diagnostics.
 */
import { LabError, type DiagnosticJSON } from '../errors.ts';
import { dict } from './json-path.ts';
import {
  DATASET_FORMAT_OF,
  type Dataset,
  type DatasetFormat,
  type LareqaShard,
  type MiraclCorpusShard,
  type MiraclQrelsShard,
  type MiraclTopicsShard,
  type PairsShard,
  type ParsedShard,
  type Passage,
  type Qrels,
  type Query,
  type TrainingPair,
} from './types.ts';

export interface BuildOptions {
  /** Dataset name; derived from the shard names when absent. */
  name?: string;
  /**
   * 'throw' (default): the first problem throws a LabError.
   * 'collect': problems become error diagnostics and the offending shard is
   * left out, so one bad file does not hide the others (the CLI's inspect).
   */
  errors?: 'throw' | 'collect';
}

export function buildDataset(shards: ParsedShard[], opts: BuildOptions = {}): Dataset {
  const collect = opts.errors === 'collect';
  const diagnostics: DiagnosticJSON[] = [];
  const fail = (e: LabError): void => {
    if (!collect) throw e;
    diagnostics.push(e.toJSON());
  };
  if (shards.length === 0) throw new LabError('invalid-argument', 'no dataset files given', {}, 'at least one shard');

  const format = DATASET_FORMAT_OF[shards[0]!.format];
  const kept: ParsedShard[] = [];
  const bySha = new Map<string, string>();
  const lareqaByLang = new Map<string, string>();
  for (const s of shards) {
    if (DATASET_FORMAT_OF[s.format] !== format) {
      fail(new LabError('inconsistent-dataset', `is a ${s.format} file, but this dataset is ${format} (from ${shards[0]!.name})`, { file: s.name }, `only ${format} files in one dataset`));
      continue;
    }
    // The same bytes in two languages' folders is no duplicate: a parallel BEIR source shares one qrels file.
    const key = s.sha256 ? `${s.sha256}|${'lang' in s && s.lang ? s.lang : ''}` : undefined;
    const same = key ? bySha.get(key) : undefined;
    if (same !== undefined) {
      fail(new LabError('duplicate-shard', `same content as ${same}, which is already part of this dataset`, { file: s.name }, 'each file once'));
      continue;
    }
    if (s.format === 'lareqa') {
      const other = lareqaByLang.get(s.lang);
      if (other !== undefined) {
        fail(new LabError('duplicate-shard', `a second "${s.lang}" file: ${other} already holds that language`, { file: s.name }, 'one LAReQA file per language'));
        continue;
      }
      lareqaByLang.set(s.lang, s.name);
    }
    if (key) bySha.set(key, s.name);
    kept.push(s);
    for (const d of s.diagnostics) diagnostics.push(d);
  }

  const name = opts.name ?? deriveName(kept.length ? kept : shards, format);
  let body: Pick<Dataset, 'languages' | 'queries' | 'passages' | 'qrels' | 'pairs'>;
  switch (format) {
    case 'lareqa':
      body = buildLareqa(kept as LareqaShard[]);
      break;
    case 'miracl':
      body = buildMiracl(kept as (MiraclCorpusShard | MiraclTopicsShard | MiraclQrelsShard)[], fail, diagnostics);
      break;
    case 'pairs':
      body = buildPairs(kept as PairsShard[]);
      break;
  }
  return { name, format, ...body, diagnostics };
}

function buildLareqa(shards: LareqaShard[]): Pick<Dataset, 'languages' | 'queries' | 'passages' | 'qrels' | 'pairs'> {
  const sorted = [...shards].sort((a, b) => (a.lang < b.lang ? -1 : a.lang > b.lang ? 1 : 0));
  const queries: Query[] = [];
  const passages: Passage[] = [];
  // Question id → its answer sentence in every language that has the question.
  const relevant = new Map<string, string[]>();
  for (const s of sorted) {
    for (const q of s.queries) queries.push(q);
    for (const p of s.passages) passages.push(p);
    for (const qid of Object.keys(s.answers)) {
      let list = relevant.get(qid);
      if (!list) relevant.set(qid, (list = []));
      list.push(s.answers[qid]!);
    }
  }
  const qrels: Qrels = dict();
  for (const q of queries) {
    const rel = dict<number>();
    for (const pid of relevant.get(q.group) ?? []) rel[pid] = 1;
    qrels[q.id] = rel;
  }
  return { languages: sorted.map((s) => s.lang), queries, passages, qrels, pairs: [] };
}

function buildMiracl(
  shards: (MiraclCorpusShard | MiraclTopicsShard | MiraclQrelsShard)[],
  fail: (e: LabError) => void,
  diagnostics: DiagnosticJSON[],
): Pick<Dataset, 'languages' | 'queries' | 'passages' | 'qrels' | 'pairs'> {
  const clash = crossLanguageClash(shards);
  let parallel = false;
  if (clash) {
    // Several languages whose files reuse the same ids (MIRACL's per-language ids, BEIR folders made from one
    // parallel source): every id gets its language as a prefix so none is lost; exports give back the file's ids.
    const unknown = shards.find((s) => s.format === 'miracl-qrels' && !s.lang);
    if (unknown) {
      fail(new LabError('unknown-language', `ids repeat across languages (${clash}), so each qrels file must say its language, and this one does not`, { file: unknown.name },
        'a language code in the qrels file name or its folder (qrels.miracl-v1.0-de-dev.tsv, beir-de/qrels/test.tsv)'));
      shards = shards.filter((s) => s !== unknown);
    }
    parallel = isParallel(shards);
    shards = shards.map((s) => namespaced(s, parallel));
    diagnostics.push({
      severity: 'warning', code: 'ids-namespaced',
      message: `ids repeat across languages (${clash}): every query and document id is prefixed with its language (de:…); exported runs and qrels keep the ids of the files` +
        (parallel ? '. Every language has the same query and document ids, so the languages are taken as translations: evaluated in the mono, cross-lingual and multilingual settings' : ''),
    });
  }
  const langs = new Set<string>();
  const passages: Passage[] = [];
  const queries: Query[] = [];
  const qrels: Qrels = dict();
  const docFile = new Map<string, string>();
  const qidFile = new Map<string, string>();
  let corpusShards = 0;
  let topicShards = 0;
  for (const s of shards) {
    if (s.format === 'miracl-corpus') {
      const c = takeUnique(s.passages, s.name, docFile, passages);
      if (c) {
        fail(new LabError('duplicate-id', `docid "${c.id}" is also in ${c.file} (docids must be unique within a language across the shards of one dataset)`, { file: s.name }, 'unique docids'));
        continue;
      }
      langs.add(s.lang);
      corpusShards++;
    } else if (s.format === 'miracl-topics') {
      const c = takeUnique(s.queries, s.name, qidFile, queries);
      if (c) {
        fail(new LabError('duplicate-id', `qid "${c.id}" is also in ${c.file} (qids must be unique within a language)`, { file: s.name }, 'unique qids'));
        continue;
      }
      langs.add(s.lang);
      topicShards++;
    } else {
      for (const qid of Object.keys(s.qrels)) {
        const into = (qrels[qid] ??= dict<number>());
        const from = s.qrels[qid]!;
        for (const docid of Object.keys(from)) into[docid] = Math.max(into[docid] ?? -Infinity, from[docid]!);
      }
      if (s.lang) langs.add(s.lang);
    }
  }
  const qrelsFiles = shards.filter((s) => s.format === 'miracl-qrels').map((s) => s.name);
  if (corpusShards > 0 && qrelsFiles.length > 0) {
    let missing = 0;
    let example = '';
    for (const qid of Object.keys(qrels)) {
      for (const docid of Object.keys(qrels[qid]!)) {
        if (!docFile.has(docid)) {
          missing++;
          if (!example) example = docid;
        }
      }
    }
    if (missing > 0) {
      diagnostics.push({
        severity: 'warning',
        code: 'qrels-docid-not-in-corpus',
        message: `${qrelsFiles.join(', ')}: ${missing} judgment${missing === 1 ? ' names a docid' : 's name docids'} not in the loaded corpus (e.g. "${example}"); they count as relevant but can never be retrieved`,
        file: qrelsFiles.join(', '),
        count: missing,
      });
    }
  }
  if (topicShards > 0 && qrelsFiles.length > 0) {
    const orphan = Object.keys(qrels).filter((qid) => !qidFile.has(qid));
    if (orphan.length > 0) {
      diagnostics.push({
        severity: 'warning',
        code: 'qrels-qid-not-in-topics',
        message: `${qrelsFiles.join(', ')}: ${orphan.length} qid${orphan.length === 1 ? '' : 's'} with judgments but no topic (e.g. "${orphan[0]}"); they are ignored`,
        file: qrelsFiles.join(', '),
        count: orphan.length,
      });
    }
  }
  if (parallel) expandParallelQrels(qrels, passages);
  return { languages: [...langs].sort(), queries, passages, qrels, pairs: [], ...(parallel ? { parallel: true as const } : {}) };
}

/**
 * Whether two or more languages hold exactly the same query ids and the same document ids (a parallel source,
 * e.g. mMARCO), rather than ids that merely collide (MIRACL numbers each language's topics from 0).
 */
function isParallel(shards: readonly (MiraclCorpusShard | MiraclTopicsShard | MiraclQrelsShard)[]): boolean {
  const idsBy = (kind: 'miracl-corpus' | 'miracl-topics'): Map<string, Set<string>> => {
    const m = new Map<string, Set<string>>();
    for (const s of shards) {
      if (s.format !== kind) continue;
      let set = m.get(s.lang);
      if (!set) m.set(s.lang, (set = new Set()));
      for (const x of s.format === 'miracl-corpus' ? s.passages : s.queries) set.add(x.id);
    }
    return m;
  };
  const same = (m: Map<string, Set<string>>): boolean => {
    const sets = [...m.values()];
    return sets.length >= 2 && sets.every((x) => x.size === sets[0]!.size && [...x].every((id) => sets[0]!.has(id)));
  };
  return same(idsBy('miracl-corpus')) && same(idsBy('miracl-topics'));
}

/** In a parallel dataset a judged document is relevant in every language that has its translation (same file id). */
function expandParallelQrels(qrels: Qrels, passages: readonly Passage[]): void {
  const bySource = new Map<string, string[]>();
  for (const p of passages) {
    const list = bySource.get(p.sourceId ?? p.id);
    if (list) list.push(p.id);
    else bySource.set(p.sourceId ?? p.id, [p.id]);
  }
  for (const qid of Object.keys(qrels)) {
    const judged = qrels[qid]!;
    for (const docid of Object.keys(judged)) {
      const source = docid.slice(docid.indexOf(':') + 1);
      for (const other of bySource.get(source) ?? []) if (!(other in judged)) judged[other] = judged[docid]!;
    }
  }
}

/**
 * An id that two shards of different languages both use (corpus docids, or topic qids), as a short
 * description; undefined when every id is unique across languages. Same-language repeats are left to
 * the duplicate check.
 */
function crossLanguageClash(shards: readonly (MiraclCorpusShard | MiraclTopicsShard | MiraclQrelsShard)[]): string | undefined {
  for (const kind of ['miracl-corpus', 'miracl-topics'] as const) {
    const langOf = new Map<string, string>();
    for (const s of shards) {
      if (s.format !== kind) continue;
      for (const x of s.format === 'miracl-corpus' ? s.passages : s.queries) {
        const other = langOf.get(x.id);
        if (other === undefined) langOf.set(x.id, s.lang);
        else if (other !== s.lang) return `${kind === 'miracl-corpus' ? 'docid' : 'qid'} "${x.id}" is in ${other} and ${s.lang}`;
      }
    }
  }
  return undefined;
}

function namespaced<T extends MiraclCorpusShard | MiraclTopicsShard | MiraclQrelsShard>(s: T, parallel: boolean): T {
  if (s.format === 'miracl-corpus') return { ...s, passages: s.passages.map((p) => ({ ...p, id: `${s.lang}:${p.id}`, sourceId: p.id })) };
  // A shared id is not a shared question (MIRACL's qid 1 in de and in sw are unrelated): each query stays its own group.
  // In a parallel source the same id is the same question translated: its languages share a group.
  if (s.format === 'miracl-topics') return { ...s, queries: s.queries.map((q) => ({ ...q, id: `${s.lang}:${q.id}`, group: parallel ? q.id : `${s.lang}:${q.id}`, sourceId: q.id })) };
  if (!s.lang) return s;
  const qrels: Qrels = dict();
  for (const qid of Object.keys(s.qrels)) {
    const into = (qrels[`${s.lang}:${qid}`] = dict<number>());
    for (const [docid, rel] of Object.entries(s.qrels[qid]!)) into[`${s.lang}:${docid}`] = rel;
  }
  return { ...s, qrels };
}

/**
 * Adds a shard's items to `into` unless one of their ids is already owned by
 * another shard (then nothing is added and the clash is returned), so a
 * refused shard leaves no partial contribution.
 */
function takeUnique<T extends { id: string }>(items: T[], file: string, owner: Map<string, string>, into: T[]): { id: string; file: string } | undefined {
  const clash = items.find((x) => owner.has(x.id));
  if (clash) return { id: clash.id, file: owner.get(clash.id)! };
  for (const x of items) {
    owner.set(x.id, file);
    into.push(x);
  }
  return undefined;
}

function buildPairs(shards: PairsShard[]): Pick<Dataset, 'languages' | 'queries' | 'passages' | 'qrels' | 'pairs'> {
  const pairs: TrainingPair[] = [];
  const langs = new Set<string>();
  for (const s of shards) {
    for (const p of s.pairs) {
      pairs.push(p);
      langs.add(p.queryLang);
      langs.add(p.passageLang);
    }
  }
  return { languages: [...langs].sort(), queries: [], passages: [], qrels: dict(), pairs };
}

const EXT = /\.(json|jsonl|ndjson|tsv|txt|trec|qrels|gz|parquet)$/i;

/** Common stem of the shard names minus language/shard tokens, e.g. xquad-r-de.json + xquad-r-en.json → "xquad-r". */
function deriveName(shards: ParsedShard[], format: DatasetFormat): string {
  const stems = shards.map((s) => {
    let n = s.name;
    while (EXT.test(n)) n = n.replace(EXT, '');
    return n;
  });
  let prefix = stems[0] ?? '';
  for (const s of stems) while (!s.startsWith(prefix)) prefix = prefix.slice(0, -1);
  if (stems.length > 1) prefix = prefix.replace(/[-_.][a-z]?$/i, '');
  prefix = prefix.replace(/[-_.]+$/, '');
  if (stems.length === 1) {
    const lang = shards[0] && 'lang' in shards[0] ? shards[0].lang : undefined;
    if (lang && prefix === lang) prefix = '';
    else if (lang) prefix = prefix.replace(new RegExp(`[-_.]${lang}$`), '');
  }
  if (prefix.length > 1) return prefix;
  // No shared stem (de.json, en.json, zh.json): name it after its languages, so two such datasets
  // (and their downloads) never share a name.
  const langs = [...new Set(shards.flatMap((s) => ('lang' in s && s.lang ? [s.lang] : [])))].sort();
  if (langs.length === 0) return format;
  return langs.length <= 4 ? `${format}-${langs.join('-')}` : `${format}-${langs.length}-languages`;
}
