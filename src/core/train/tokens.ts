/**
 * A sampled batch as the encoder reads it: queries with the query prefix,
 * then positives and hard negatives with the passage prefix, tokenized at
 * the model's max length (through its vocabulary trim) and padded to the
 * longest text. Shared by training steps and validation, so both see the
 * same texts.
 */
import type { Tokenization } from '../run-config.ts';
import type { TextModel } from '../tokenize/text-model.ts';
import { padBatch, remapIds } from '../tokenize/batch.ts';
import type { TrainingBatch } from './samplers/batch.ts';
import type { MicroBatch } from './step.ts';

export function batchTokens(model: TextModel, batch: TrainingBatch, t: Pick<Tokenization, 'queryPrefix' | 'passagePrefix'>): MicroBatch {
  const { tokenizer, maxLength, encoder } = model;
  const q = batch.pairs.map((p) => t.queryPrefix + p.query);
  const rest = [...batch.pairs.map((p) => p.positive), ...batch.pairs.flatMap((p) => p.negatives)].map((x) => t.passagePrefix + x);
  const texts = [...q, ...rest];
  let ragged = tokenizer.encodeBatch(texts, { maxLength });
  if (encoder.vocabTrim) ragged = remapIds(ragged, encoder.vocabTrim);
  const b = padBatch(ragged, texts.map((_, i) => i), tokenizer.padId);
  return { tokens: { ids: b.inputIds, mask: b.attentionMask, batch: b.batchSize, seq: b.seqLen }, numQueries: q.length };
}
