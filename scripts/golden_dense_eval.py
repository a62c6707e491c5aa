#!/usr/bin/python3
"""Golden fixture for dense evaluation (`lab eval`, ModelSession.evaluate).

Input: the JSON written by scripts/make-dense-eval-golden.ts (a real XQuAD-R
slice tokenized for the generated tiny-bert). This script embeds the token ids
with the independent PyTorch encoder of scripts/golden_encoder.py (float64,
nn.TransformerEncoderLayer), scores by cosine, and computes per query the AP
with sklearn.metrics.average_precision_score (LAReQA's mAP) over each pool:
mono (x -> x), cross (x -> y, x != y), multi (x -> all). Per-pair means, the
macro averages, and the rank distance (language bias) per query language go
to test/fixtures/eval/dense-golden-tiny-bert.json.

  npx tsx scripts/make-dense-eval-golden.ts /tmp/dense-golden-input.json
  /usr/bin/python3 scripts/golden_dense_eval.py /tmp/dense-golden-input.json
"""
import json
import os
import sys

import numpy as np
import sklearn
import torch
from sklearn.metrics import average_precision_score

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_encoder import GEN, RefEncoder, read_safetensors, st_head  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def embed(model, rows, pad):
    out = []
    for s in range(0, len(rows), 64):
        chunk = rows[s : s + 64]
        S = max(len(r) for r in chunk)
        ids = torch.tensor([r + [pad] * (S - len(r)) for r in chunk])
        mask = torch.tensor([[1] * len(r) + [0] * (S - len(r)) for r in chunk])
        with torch.no_grad():
            out.append(model(ids, mask))
    e = torch.cat(out).numpy()
    n = np.linalg.norm(e, axis=1, keepdims=True)
    return e / np.where(n > 0, n, 1)


def main():
    inp = json.load(open(sys.argv[1], encoding="utf-8"))
    d = os.path.join(GEN, inp["model"])
    cfg = json.load(open(os.path.join(d, "config.json")))
    head = st_head(d)
    model = RefEncoder(cfg, head).double()
    if head[1] is not None:
        model.dense = head[1]
    model.load(read_safetensors(os.path.join(d, "model.safetensors")))
    model.eval()
    q = embed(model, inp["queryIds"], cfg["pad_token_id"])
    p = embed(model, inp["passageIds"], cfg["pad_token_id"])
    scores = q @ p.T
    langs = inp["languages"]
    p_lang = np.array([x["lang"] for x in inp["passages"]])
    p_ids = [x["id"] for x in inp["passages"]]
    qrels = inp["qrels"]
    pairs = {"mono": {}, "cross": {}, "multi": {}}
    rd = {x: [] for x in langs}
    min_gap = np.inf
    for i, qu in enumerate(inp["queries"]):
        x = qu["lang"]
        rel = np.array([1 if qrels.get(qu["id"], {}).get(pid, 0) >= 1 else 0 for pid in p_ids])
        s = scores[i]
        srt = np.sort(s)
        min_gap = min(min_gap, float(np.min(np.diff(srt))) if len(srt) > 1 else np.inf)
        for y in langs + ["all"]:
            pool = np.ones(len(p_ids), bool) if y == "all" else p_lang == y
            if rel[pool].sum() == 0:
                continue
            ap = float(average_precision_score(rel[pool], s[pool]))
            setting = "multi" if y == "all" else ("mono" if y == x else "cross")
            pairs[setting].setdefault(f"{x}-{y}", []).append(ap)
        # rank distance in the pool of all languages: ranks 1-based by score descending
        order = np.argsort(-s, kind="stable")
        rank = np.empty(len(s), int)
        rank[order] = np.arange(1, len(s) + 1)
        r = rank[rel == 1]
        if len(r):
            rd[x].append(int(r.max() - r.min()))
    out_pairs = {k: {pk: {"map": float(np.mean(v)), "num_q": len(v)} for pk, v in sorted(ps.items())} for k, ps in pairs.items()}
    out = {
        "generator": "scripts/golden_dense_eval.py (PyTorch %s float64, sklearn %s average_precision_score)" % (torch.__version__, sklearn.__version__),
        "model": inp["model"],
        "maxLength": inp["maxLength"],
        "slice": inp["slice"],
        "minScoreGap": min_gap,
        "pairs": out_pairs,
        "macro": {k: float(np.mean([c["map"] for c in v.values()])) for k, v in out_pairs.items()},
        "rankDistance": {x: float(np.mean(v)) for x, v in rd.items() if v},
    }
    path = os.path.join(ROOT, "test/fixtures/eval/dense-golden-%s.json" % inp["model"])
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote %s: macro %s, min score gap %.2e" % (path, out["macro"], min_gap))


if __name__ == "__main__":
    main()
