import { describe, expect, it } from 'vitest';
import { LabTokenizer } from '../../../src/core/tokenize/tokenizer.ts';

// A small XLM-R-shaped tokenizer.json (Unigram + Metaspace + RobertaProcessing, <s>/</s>/<pad>=1),
// written by hand: the special tokens must be found from the post-processor, not assumed to be [CLS]/[SEP].
const pieces: [string, number][] = [
  ['<s>', 0], ['<pad>', 0], ['</s>', 0], ['<unk>', 0],
  ['▁', -3], ['▁hello', -1], ['▁world', -1], ['▁a', -2], ['▁the', -2], ['▁1', -2], ['▁x', -2], ['▁query', -1], [':', -2],
  ['h', -5], ['e', -5], ['l', -5], ['o', -5], ['w', -5], ['r', -5], ['d', -5],
];
const json = {
  version: '1.0', truncation: null, padding: null,
  added_tokens: ['<s>', '<pad>', '</s>', '<unk>'].map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
  normalizer: null,
  pre_tokenizer: { type: 'Metaspace', replacement: '▁', add_prefix_space: true, prepend_scheme: 'always' },
  post_processor: { type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0], trim_offsets: true, add_prefix_space: true },
  decoder: { type: 'Metaspace', replacement: '▁', add_prefix_space: true },
  model: { type: 'Unigram', unk_id: 3, vocab: pieces },
};
const config = { tokenizer_class: 'XLMRobertaTokenizer', model_max_length: 512, pad_token: '<pad>', unk_token: '<unk>', bos_token: '<s>', eos_token: '</s>' };
const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));

describe('XLM-R-style tokenizer', () => {
  it('finds <s> … </s> from RobertaProcessing, <pad> = 1, and keeps </s> after truncation', async () => {
    const t = await LabTokenizer.fromSource({ tokenizerJson: enc(json), tokenizerConfig: enc(config) });
    expect(t.prefixIds).toEqual([0]);
    expect(t.suffixIds).toEqual([2]);
    expect(t.padId).toBe(1);
    expect(t.unkId).toBe(3);
    expect(t.modelMaxLength).toBe(512);
    expect(t.encode('hello world', { maxLength: 16 })).toEqual([0, 5, 6, 2]);
    expect(t.encode('hello world hello world', { maxLength: 4 })).toEqual([0, 5, 6, 2]);
    expect(t.encode('world', { maxLength: 16, prefix: 'query: ' })).toEqual([0, 11, 12, 6, 2]);
  });
});
