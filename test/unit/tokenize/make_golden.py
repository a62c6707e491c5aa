#!/usr/bin/env python3
"""Independent reference for the mBERT tokenizer test: BERT's original
BasicTokenizer + WordPiece (cased: no lower-casing, no accent stripping),
written from the algorithm description against vocab.txt, NOT through
@xenova/transformers or tokenizer.json. Writes
test/fixtures/tokenize/mbert-golden.json with real multilingual sentences
(questions and passages from ../shared/data/xquad-r) and their token ids.

Run from the repo root:  /usr/bin/python3 test/unit/tokenize/make_golden.py
"""
import json
import os
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
TOK_DIR = os.path.join(ROOT, '..', 'shared', 'models', 'mbert-cased-tokenizer')
DATA_DIR = os.path.join(ROOT, '..', 'shared', 'data', 'xquad-r')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'tokenize', 'mbert-golden.json')


def load_vocab(path):
    vocab = {}
    with open(path, encoding='utf-8') as f:
        for i, line in enumerate(f):
            vocab[line.rstrip('\n')] = i
    return vocab


def is_whitespace(c):
    return c in ' \t\n\r' or unicodedata.category(c) == 'Zs'


def is_control(c):
    if c in '\t\n\r':
        return False
    return unicodedata.category(c).startswith('C')


def is_punct(c):
    cp = ord(c)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(c).startswith('P')


def is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
            or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def basic_tokenize(text):
    out = []
    for c in text:
        cp = ord(c)
        if cp == 0 or cp == 0xFFFD or is_control(c):
            continue
        if is_whitespace(c):
            out.append(' ')
        elif is_cjk(cp):
            out.append(' ' + c + ' ')
        else:
            out.append(c)
    words = ''.join(out).split()
    tokens = []
    for w in words:
        cur = ''
        for c in w:
            if is_punct(c):
                if cur:
                    tokens.append(cur)
                    cur = ''
                tokens.append(c)
            else:
                cur += c
        if cur:
            tokens.append(cur)
    return tokens


def wordpiece(word, vocab, unk='[UNK]', max_chars=100):
    if len(word) > max_chars:
        return [unk]
    pieces, start = [], 0
    while start < len(word):
        end, found = len(word), None
        while start < end:
            sub = word[start:end]
            if start > 0:
                sub = '##' + sub
            if sub in vocab:
                found = sub
                break
            end -= 1
        if found is None:
            return [unk]
        pieces.append(found)
        start = end
    return pieces


def encode(text, vocab):
    toks = []
    for w in basic_tokenize(text):
        toks.extend(wordpiece(w, vocab))
    return [vocab[t] for t in toks]


def main():
    vocab = load_vocab(os.path.join(TOK_DIR, 'vocab.txt'))
    sentences = []
    for lang in ['en', 'de', 'es', 'el', 'ru', 'ar', 'hi', 'th', 'tr', 'vi', 'zh', 'ro']:
        path = os.path.join(DATA_DIR, lang + '.json')
        if not os.path.exists(path):
            continue
        with open(path, encoding='utf-8') as f:
            d = json.load(f)
        para = d['data'][0]['paragraphs'][0]
        sentences.append({'lang': lang, 'text': para['qas'][0]['question']})
        sentences.append({'lang': lang, 'text': para['context'][:300]})
    # Hand-written edge cases: accents kept (cased), punctuation runs, controls, CJK mixed with Latin, a prefix.
    for t in ['¿Cómo estás? ¡Muy bien!', 'Größe — naïve café', 'x\u0000y\tz', '東京タワーはTokyo Tower', 'query: who wrote Faust?', '']:
        sentences.append({'lang': 'mixed', 'text': t})
    out = {
        'source': 'test/unit/tokenize/make_golden.py (BasicTokenizer + WordPiece over vocab.txt)',
        'cls': vocab['[CLS]'], 'sep': vocab['[SEP]'], 'pad': vocab['[PAD]'], 'unk': vocab['[UNK]'],
        'sentences': [dict(s, ids=encode(s['text'], vocab)) for s in sentences],
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w', encoding='utf-8') as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
    print('wrote', OUT, len(out['sentences']), 'sentences')


if __name__ == '__main__':
    main()
