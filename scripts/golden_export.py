#!/usr/bin/python3
"""Loads a model folder exported by the lab (src/core/encoder/export.ts) the way a PyTorch
user would, with the independent reference encoder of scripts/golden_encoder.py
(nn.TransformerEncoderLayer, float64, safetensors parsed by hand), and writes its pooled
embeddings for given token ids.

It is strict about the folder, because "PyTorch can load it" is the claim under test:
  - config.json: model_type, sizes, vocab_size equal to the word-embedding rows
  - model.safetensors: every tensor the encoder needs, under one Hugging Face prefix
    (`bert.` / `roberta.` / `distilbert.`), with PyTorch's shapes, and no tensor left over
  - sentence-transformers: modules.json (Transformer at the root, Pooling, Dense, Normalize),
    each module's files, config_sentence_transformers.json, sentence_bert_config.json
  - tokenizer: tokenizer.json and vocab.txt agree, and (given texts) greedy WordPiece over
    the exported vocab.txt reproduces the input ids

Usage: /usr/bin/python3 scripts/golden_export.py <exported folder> <inputs.json> <out.json>
  inputs.json: {"ids": [[...]], "mask": [[...]], "texts": [...] (optional)}
  out.json:    {"embeddings": [[...]], "checks": [...], "tensors": n, "torch": version}
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_encoder import RefEncoder, read_safetensors, st_head, wordpiece  # noqa: E402

PREFIX = {"bert": "bert.", "xlm-roberta": "roberta.", "roberta": "roberta.", "distilbert": "distilbert."}
ST_TYPES = {"Transformer", "Pooling", "Dense", "Normalize"}


class Fail(Exception):
    pass


def need(cond, msg):
    if not cond:
        raise Fail(msg)


class RecordingDict(dict):
    """A tensor dict that remembers which names the loader read, to find left-over tensors."""

    def __init__(self, *a):
        super().__init__(*a)
        self.read = set()

    def __getitem__(self, k):
        self.read.add(k)
        return super().__getitem__(k)


def check_sentence_transformers(d, checks):
    modules = json.load(open(os.path.join(d, "modules.json")))
    need(isinstance(modules, list) and modules, "modules.json: not a non-empty list")
    kinds = [m["type"].split(".")[-1] for m in modules]
    need(all(m["type"].startswith("sentence_transformers.models.") for m in modules), f"modules.json: types {kinds}")
    need(set(kinds) <= ST_TYPES, f"modules.json: unknown module types {kinds}")
    need(kinds[0] == "Transformer" and modules[0]["path"] == "", "modules.json: module 0 must be the Transformer at the folder root")
    need([m["idx"] for m in modules] == list(range(len(modules))), "modules.json: idx not 0..n-1")
    for m in modules:
        kind = m["type"].split(".")[-1]
        if kind in ("Pooling", "Dense"):
            need(os.path.isfile(os.path.join(d, m["path"], "config.json")), f"{m['path']}/config.json missing")
        if kind == "Dense":
            need(os.path.isfile(os.path.join(d, m["path"], "model.safetensors")), f"{m['path']}/model.safetensors missing")
    for f in ("config_sentence_transformers.json", "sentence_bert_config.json"):
        need(os.path.isfile(os.path.join(d, f)), f"{f} missing")
    sb = json.load(open(os.path.join(d, "sentence_bert_config.json")))
    need(isinstance(sb.get("max_seq_length"), int), "sentence_bert_config.json: max_seq_length")
    checks.append(f"sentence-transformers modules {kinds}")


def check_tokenizer(d, cfg, inputs, checks):
    vocab = {}
    with open(os.path.join(d, "vocab.txt"), encoding="utf-8") as f:
        for i, line in enumerate(f):
            vocab[line.rstrip("\n")] = i
    tok = json.load(open(os.path.join(d, "tokenizer.json"), encoding="utf-8"))
    tvocab = tok["model"]["vocab"]
    need(tok["model"]["type"] == "WordPiece", f"tokenizer.json: model type {tok['model']['type']}")
    need(len(tvocab) == len(vocab) <= cfg["vocab_size"], f"tokenizer.json has {len(tvocab)} tokens, vocab.txt {len(vocab)}, vocab_size {cfg['vocab_size']}")
    need(all(tvocab.get(t) == i for t, i in vocab.items()), "tokenizer.json and vocab.txt disagree on token ids")
    checks.append(f"tokenizer.json == vocab.txt ({len(vocab)} tokens)")
    if inputs.get("texts"):
        for r, (text, ids, mask) in enumerate(zip(inputs["texts"], inputs["ids"], inputs["mask"])):
            want = [i for i, m in zip(ids, mask) if m]
            got = wordpiece(text, vocab)
            need(got == want, f"text {r}: WordPiece over the exported vocab.txt gives {got}, inputs have {want}")
        checks.append(f"exported vocab.txt tokenizes the {len(inputs['texts'])} texts to the input ids")


def embed(d, inputs):
    checks = []
    cfg = json.load(open(os.path.join(d, "config.json")))
    need(cfg.get("model_type") in PREFIX, f"config.json: model_type {cfg.get('model_type')}")
    weights = RecordingDict(read_safetensors(os.path.join(d, "model.safetensors")))
    prefix = PREFIX[cfg["model_type"]]
    need(all(k.startswith(prefix) for k in weights), f"model.safetensors: names without the {prefix} prefix")
    word = weights[prefix + "embeddings.word_embeddings.weight"]
    need(word.shape[0] == cfg["vocab_size"], f"config.json vocab_size {cfg['vocab_size']} but {word.shape[0]} embedding rows")
    st = os.path.isfile(os.path.join(d, "modules.json"))
    if st:
        check_sentence_transformers(d, checks)
    head = st_head(d)
    model = RefEncoder(cfg, head).double()
    if head[1] is not None:
        model.dense = head[1]
    model.load(weights)  # copy_ raises on any shape mismatch; get() on a missing name
    left = sorted(set(weights) - weights.read)
    need(not left, f"model.safetensors: tensors the encoder does not use: {left[:8]}")
    checks.append(f"model.safetensors: {len(weights)} tensors, all used, prefix {prefix}")
    check_tokenizer(d, cfg, inputs, checks)
    model.train()  # dropout is 0; train mode keeps PyTorch off its inference fast path (as golden_encoder.py)
    with torch.no_grad():
        emb = model(torch.tensor(inputs["ids"]), torch.tensor(inputs["mask"]))
    return {
        "embeddings": [[float(x) for x in row] for row in emb],
        "pooling": head[0],
        "normalize": head[3],
        "checks": checks,
        "tensors": len(weights),
        "torch": torch.__version__,
    }


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    folder, inputs_path, out_path = sys.argv[1:]
    inputs = json.load(open(inputs_path))
    try:
        out = embed(folder, inputs)
    except (Fail, KeyError, RuntimeError, FileNotFoundError) as e:
        print(f"{folder}: cannot load the export: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
    with open(out_path, "w") as f:
        json.dump(out, f)
    for c in out["checks"]:
        print(f"{folder}: {c}", file=sys.stderr)


if __name__ == "__main__":
    main()
