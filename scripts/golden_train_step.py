#!/usr/bin/python3
"""Golden fixture for the training step (src/core/train): three AdamW steps on the generated
tiny-bert with PyTorch's own torch.optim.AdamW and clip_grad_norm_, in float64.

Each step: two micro-batches (gradient accumulation, each loss divided by 2): the golden
queries against their passages, then the passages against their queries; in-batch InfoNCE on
cosine similarity / 0.05 (mean over queries); clipping of the global gradient norm to 1.0; the
learning rate warmed up then decayed linearly (lr_s = lr * s / W for s <= W, else
lr * (T - s + 1) / (T - W + 1), steps s = 1..T); AdamW (betas 0.9 / 0.999, weight decay on every
parameter). eps is 1e-3 rather than 1e-8 on purpose: Adam's first step is lr * g / (|g| + eps),
i.e. lr * sign(g) for eps << |g|, which would turn float32 rounding noise in a near-zero gradient
into a full-lr difference; with eps 1e-3 such elements move by ~1e-7 instead.

Writes test/fixtures/train/golden-adamw-tiny-bert.json: the losses and gradient norms per step
and selected weights after the last step (PyTorch orientation [out, in]).

  /usr/bin/python3 scripts/golden_train_step.py
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_encoder import GEN, RefEncoder, read_safetensors, st_head  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CFG = {"lr": 1e-2, "warmup": 2, "steps": 3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-3, "weight_decay": 0.1,
       "max_grad_norm": 1.0, "accumulation": 2, "temperature": 0.05}


def lr_at(s):
    W, T = CFG["warmup"], CFG["steps"]
    return CFG["lr"] * (s / W if s <= W else (T - s + 1) / (T - W + 1))


def main():
    torch.set_grad_enabled(True)
    g = json.load(open(os.path.join(ROOT, "test/fixtures/models/golden-tiny-bert.json")))
    d = os.path.join(GEN, "tiny-bert")
    cfg = json.load(open(os.path.join(d, "config.json")))
    model = RefEncoder(cfg, st_head(d)).double()
    model.load(read_safetensors(os.path.join(d, "model.safetensors")))
    model.train()
    ids = torch.tensor(g["inputs"]["ids"])
    mask = torch.tensor(g["inputs"]["mask"])
    nq = g["n_queries"]
    order2 = list(range(nq, 2 * nq)) + list(range(nq))  # passages as queries, queries as passages
    micro = [(ids, mask), (ids[order2], mask[order2])]
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=CFG["lr"], betas=(CFG["beta1"], CFG["beta2"]), eps=CFG["eps"], weight_decay=CFG["weight_decay"])
    losses, norms, lrs = [], [], []
    for s in range(1, CFG["steps"] + 1):
        opt.zero_grad()
        total = 0.0
        for mi, mm in micro:
            e = F.normalize(model(mi, mm), dim=1)
            loss = F.cross_entropy(e[:nq] @ e[nq:].T / CFG["temperature"], torch.arange(nq)) / CFG["accumulation"]
            loss.backward()
            total += float(loss)
        norm = torch.nn.utils.clip_grad_norm_(params, CFG["max_grad_norm"])
        for pg in opt.param_groups:
            pg["lr"] = lr_at(s)
        opt.step()
        losses.append(total)
        norms.append(float(norm))
        lrs.append(lr_at(s))
    H = model.H
    l0, l1 = model.layers[0], model.layers[1]
    used = sorted({int(x) for row in g["inputs"]["ids"] for x in row})
    unused = 5000  # no gradient ever: only weight decay moves it
    weights = {
        "embeddings.word_embeddings.weight": {"rows": used + [unused], "values": model.word.weight[used + [unused]].tolist()},
        "embeddings.position_embeddings.weight": {"rows": list(range(16)), "values": model.pos.weight[:16].tolist()},
        "embeddings.LayerNorm.weight": model.ln.weight.tolist(),
        "embeddings.LayerNorm.bias": model.ln.bias.tolist(),
        "encoder.layer.0.attention.self.query.weight": l0.self_attn.in_proj_weight[:H].tolist(),
        "encoder.layer.0.attention.self.value.bias": l0.self_attn.in_proj_bias[2 * H:].tolist(),
        "encoder.layer.1.attention.output.dense.weight": l1.self_attn.out_proj.weight.tolist(),
        "encoder.layer.1.intermediate.dense.weight": l1.linear1.weight.tolist(),
        "encoder.layer.1.intermediate.dense.bias": l1.linear1.bias.tolist(),
        "encoder.layer.1.output.dense.weight": l1.linear2.weight.tolist(),
        "encoder.layer.1.output.LayerNorm.weight": l1.norm2.weight.tolist(),
    }
    out = {
        "generator": "scripts/golden_train_step.py (PyTorch %s, float64, torch.optim.AdamW, clip_grad_norm_)" % torch.__version__,
        "config": CFG, "losses": losses, "grad_norms": norms, "lrs": lrs, "weights": weights,
    }
    os.makedirs(os.path.join(ROOT, "test/fixtures/train"), exist_ok=True)
    path = os.path.join(ROOT, "test/fixtures/train/golden-adamw-tiny-bert.json")
    with open(path, "w") as f:
        json.dump(out, f)
        f.write("\n")
    print("wrote %s: losses %s, grad norms %s" % (path, losses, norms))


if __name__ == "__main__":
    main()
