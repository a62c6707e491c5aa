import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { embedTexts, embedTokens, loadTextModel } from '../../../src/core/tokenize/text-model.ts';
import { trimEncoderVocab } from '../../../src/core/encoder/trim.ts';
import { initNodeBackend } from '../../../src/node/backend.ts';
import { nodeFolderProvider } from '../../../src/cli/commands/embed.ts';
import { GENERATED_MODELS_DIR } from '../../support/mock-hub.ts';

const SEEN = ['Wie viele Punkte gab die Verteidigung der Panthers ab?', 'How many points did the Panthers defense give up?'];

beforeAll(async () => { await initNodeBackend('cpu'); });

describe('embedding with a trimmed vocabulary', () => {
  it('applies the encoder trim to tokenizer ids: the same embeddings for seen text, [UNK] for unseen words', async () => {
    for (const name of ['tiny-bert', 'tiny-xlmr']) {
      const model = await loadTextModel(nodeFolderProvider(join(GENERATED_MODELS_DIR, name)));
      const before = await embedTexts(model, [...SEEN, 'Völlig andere Wörter hier']);
      const seen = model.tokenizer.encodeBatch(SEEN, { maxLength: model.maxLength });
      const trim = trimEncoderVocab(model.encoder, {
        usedIds: seen.ids, specialIds: [...model.tokenizer.prefixIds, ...model.tokenizer.suffixIds, model.tokenizer.padId], unkId: model.tokenizer.unkId,
      });
      expect(model.encoder.config.vocabSize).toBeLessThan(100);
      const after = await embedTexts(model, [...SEEN, 'Völlig andere Wörter hier']);
      for (let i = 0; i < SEEN.length; i++) for (let k = 0; k < before[i]!.length; k++) expect(Math.abs(after[i]![k]! - before[i]![k]!)).toBeLessThan(1e-5);
      // Unseen words now read as [UNK]: the same as embedding a text of [UNK]s of that length.
      const unseen = model.tokenizer.encodeBatch(['Völlig andere Wörter hier'], { maxLength: model.maxLength });
      const asUnk = { ids: unseen.ids.map((id, j) => (j === 0 || j === unseen.ids.length - 1 ? id : model.tokenizer.unkId)), offsets: unseen.offsets };
      const [viaUnk] = await embedTokens(model, asUnk);
      for (let k = 0; k < viaUnk!.length; k++) expect(Math.abs(after[2]![k]! - viaUnk![k]!)).toBeLessThan(1e-5);
      expect(trim.unkId).toBe(trim.remap[model.tokenizer.unkId]);
      model.encoder.dispose();
    }
  });
});
