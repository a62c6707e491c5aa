/**
 * Input of scripts/golden_dense_eval.py: the golden XQuAD-R slice
 * (test/support/xquad-slice.ts) tokenized by the lab's tokenizer for the
 * generated tiny-bert, with query ids, passage ids, languages and qrels. The
 * Python script embeds these ids with PyTorch and scores them with sklearn,
 * independently of the TypeScript encoder and evaluator.
 *
 *   npx tsx scripts/make-dense-eval-golden.ts /tmp/dense-golden-input.json
 *   /usr/bin/python3 scripts/golden_dense_eval.py /tmp/dense-golden-input.json
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDatasetFromPaths } from '../src/cli/load-files.ts';
import { datasetTexts } from '../src/core/tokenize/dataset-tokens.ts';
import { LabTokenizer } from '../src/core/tokenize/tokenizer.ts';
import { nodeFolderProvider } from '../src/node/model-source.ts';
import { GENERATED_MODELS_DIR } from '../test/support/mock-hub.ts';
import { GOLDEN_SLICE, writeXquadSlice } from '../test/support/xquad-slice.ts';

const MODEL = 'tiny-bert';
const MAX_LENGTH = 62; // tiny-bert's sentence_bert_config max_seq_length
const out = process.argv[2] ?? join(tmpdir(), 'dense-golden-input.json');
const slice = writeXquadSlice(mkdtempSync(join(tmpdir(), 'xquad-slice-')));
const ds = await loadDatasetFromPaths(slice.files);
const tok = await LabTokenizer.fromProvider(nodeFolderProvider(join(GENERATED_MODELS_DIR, MODEL)));
const ragged = (texts: string[], prefix: string): number[][] => {
  const r = tok.encodeBatch(texts, { maxLength: MAX_LENGTH, prefix });
  return Array.from({ length: texts.length }, (_, i) => Array.from(r.ids.subarray(r.offsets[i]!, r.offsets[i + 1]!)));
};
writeFileSync(out, JSON.stringify({
  model: MODEL, maxLength: MAX_LENGTH, slice: { ...GOLDEN_SLICE, sha256: slice.sha256 }, languages: ds.languages,
  queries: ds.queries.map((q, i) => ({ id: q.id, lang: q.lang })), passages: ds.passages.map((p) => ({ id: p.id, lang: p.lang })),
  queryIds: ragged(datasetTexts(ds, 'queries'), 'query: '), passageIds: ragged(datasetTexts(ds, 'passages'), 'passage: '),
  qrels: ds.qrels,
}));
console.error(`wrote ${out}: ${ds.queries.length} queries, ${ds.passages.length} passages in ${ds.languages.join(' ')}`);
