#!/usr/bin/python3
"""Independent reference for the tfjs encoder (src/core/encoder/model.ts).

Reads the tiny Hugging Face folders written by scripts/make-tiny-models.ts, parses
model.safetensors by hand (8-byte header length + JSON header + raw bytes), builds the
encoder from PyTorch's own modules (nn.Embedding, nn.LayerNorm,
nn.TransformerEncoderLayer with BERT's settings: post-LN, exact-erf GELU,
batch_first, key padding mask) in float64, and writes for each model:

  test/fixtures/models/golden-<model>.json
    inputs      fixed token ids (greedy WordPiece over vocab.txt, so tokenization is
                not under test) and attention mask, padded with the model's pad id
    embeddings  pooled (+Dense, +Normalize as the sentence-transformers files say)
    loss        in-batch InfoNCE (cosine similarity / 0.05) of queries vs passages
    grads       d loss / d weight for a few named weights, PyTorch orientation [out, in];
                word-embedding gradient as selected rows

Run with Debian's python3-torch:  /usr/bin/python3 scripts/golden_encoder.py
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = os.path.join(ROOT, "test/fixtures/models/generated")
OUT = os.path.join(ROOT, "test/fixtures/models")
TEMPERATURE = 0.05

# Query / passage pairs across languages (query i matches passage i).
QUERIES = [
    "Where is the Eiffel Tower?",
    "Wie hoch ist der Mount Everest?",
    "¿Quién escribió Don Quijote?",
]
PASSAGES = [
    "La tour Eiffel se trouve à Paris.",
    "Mount Everest is 8,849 metres high.",
    "Miguel de Cervantes escribió Don Quijote de la Mancha.",
]


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    data = raw[8 + n :]
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        buf = data[b:end]
        if e["dtype"] == "F32":
            a = np.frombuffer(buf, dtype="<f4")
        elif e["dtype"] == "F16":
            a = np.frombuffer(buf, dtype="<f2").astype(np.float32)
        elif e["dtype"] == "BF16":
            a = (np.frombuffer(buf, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            raise ValueError(f"{name}: dtype {e['dtype']}")
        out[name] = torch.tensor(a.reshape(e["shape"]), dtype=torch.float64)
    return out


def wordpiece(text, vocab):
    """Greedy longest-match WordPiece with BERT's basic splitting (cased)."""
    import unicodedata

    words, cur = [], ""
    for ch in text:
        cat = unicodedata.category(ch)
        if ch.isspace():
            if cur:
                words.append(cur)
            cur = ""
        elif cat.startswith("P") or (33 <= ord(ch) <= 47) or (58 <= ord(ch) <= 64):
            if cur:
                words.append(cur)
            words.append(ch)
            cur = ""
        else:
            cur += ch
    if cur:
        words.append(cur)
    ids = []
    for w in words:
        start, pieces = 0, []
        while start < len(w):
            end, found = len(w), None
            while end > start:
                sub = w[start:end] if start == 0 else "##" + w[start:end]
                if sub in vocab:
                    found = vocab[sub]
                    break
                end -= 1
            if found is None:
                pieces = [vocab["[UNK]"]]
                break
            pieces.append(found)
            start = end
        ids.extend(pieces)
    return [vocab["[CLS]"]] + ids + [vocab["[SEP]"]]


class RefEncoder(nn.Module):
    def __init__(self, cfg, st_files):
        super().__init__()
        distil = cfg["model_type"] == "distilbert"
        self.distil = distil
        self.roberta = cfg["model_type"] in ("xlm-roberta", "roberta")
        H = cfg["dim"] if distil else cfg["hidden_size"]
        L = cfg["n_layers"] if distil else cfg["num_hidden_layers"]
        nh = cfg["n_heads"] if distil else cfg["num_attention_heads"]
        inter = cfg["hidden_dim"] if distil else cfg["intermediate_size"]
        eps = 1e-12 if distil else cfg["layer_norm_eps"]
        self.pad = cfg["pad_token_id"]
        self.word = nn.Embedding(cfg["vocab_size"], H)
        self.pos = nn.Embedding(cfg["max_position_embeddings"], H)
        tv = 0 if distil else cfg.get("type_vocab_size", 2)
        self.ttype = nn.Embedding(tv, H) if tv else None
        self.ln = nn.LayerNorm(H, eps=eps)
        self.layers = nn.ModuleList(
            nn.TransformerEncoderLayer(
                d_model=H, nhead=nh, dim_feedforward=inter, dropout=0.0, activation="gelu",
                layer_norm_eps=eps, batch_first=True, norm_first=False,
            )
            for _ in range(L)
        )
        self.H = H
        self.pooling, self.dense, self.dense_act, self.normalize = st_files

    def load(self, w):
        """Copies Hugging Face tensors into the PyTorch modules (names with or without prefix)."""
        def get(n):
            for p in ("", "bert.", "roberta.", "distilbert."):
                if p + n in w:
                    return w[p + n]
            raise KeyError(n)

        with torch.no_grad():
            self.word.weight.copy_(get("embeddings.word_embeddings.weight"))
            self.pos.weight.copy_(get("embeddings.position_embeddings.weight"))
            if self.ttype is not None:
                self.ttype.weight.copy_(get("embeddings.token_type_embeddings.weight"))
            self.ln.weight.copy_(get("embeddings.LayerNorm.weight"))
            self.ln.bias.copy_(get("embeddings.LayerNorm.bias"))
            for i, layer in enumerate(self.layers):
                if self.distil:
                    p = f"transformer.layer.{i}."
                    q, k, v, o = (p + "attention.q_lin", p + "attention.k_lin", p + "attention.v_lin", p + "attention.out_lin")
                    ln1, f1, f2, ln2 = p + "sa_layer_norm", p + "ffn.lin1", p + "ffn.lin2", p + "output_layer_norm"
                else:
                    p = f"encoder.layer.{i}."
                    q, k, v = p + "attention.self.query", p + "attention.self.key", p + "attention.self.value"
                    o, ln1 = p + "attention.output.dense", p + "attention.output.LayerNorm"
                    f1, f2, ln2 = p + "intermediate.dense", p + "output.dense", p + "output.LayerNorm"
                layer.self_attn.in_proj_weight.copy_(torch.cat([get(q + ".weight"), get(k + ".weight"), get(v + ".weight")]))
                layer.self_attn.in_proj_bias.copy_(torch.cat([get(q + ".bias"), get(k + ".bias"), get(v + ".bias")]))
                layer.self_attn.out_proj.weight.copy_(get(o + ".weight"))
                layer.self_attn.out_proj.bias.copy_(get(o + ".bias"))
                layer.norm1.weight.copy_(get(ln1 + ".weight"))
                layer.norm1.bias.copy_(get(ln1 + ".bias"))
                layer.linear1.weight.copy_(get(f1 + ".weight"))
                layer.linear1.bias.copy_(get(f1 + ".bias"))
                layer.linear2.weight.copy_(get(f2 + ".weight"))
                layer.linear2.bias.copy_(get(f2 + ".bias"))
                layer.norm2.weight.copy_(get(ln2 + ".weight"))
                layer.norm2.bias.copy_(get(ln2 + ".bias"))

    def forward(self, ids, mask):
        B, S = ids.shape
        if self.roberta:
            # Hugging Face create_position_ids_from_input_ids, on the attention mask.
            pos = torch.cumsum(mask, dim=1) * mask + self.pad
        else:
            pos = torch.arange(S).unsqueeze(0).expand(B, S)
        x = self.word(ids) + self.pos(pos)
        if self.ttype is not None:
            x = x + self.ttype(torch.zeros_like(ids))
        x = self.ln(x)
        pad_mask = mask == 0
        for layer in self.layers:
            x = layer(x, src_key_padding_mask=pad_mask)
        if self.pooling == "cls":
            e = x[:, 0]
        else:
            m = mask.unsqueeze(-1).to(x.dtype)
            e = (x * m).sum(1) / m.sum(1).clamp(min=1e-9)
        if self.dense is not None:
            e = self.dense(e)
            if self.dense_act == "tanh":
                e = torch.tanh(e)
        if self.normalize:
            e = F.normalize(e, p=2, dim=1)
        return e


def st_head(d):
    """Pooling / Dense / Normalize from the sentence-transformers files (defaults: mean, none, no)."""
    pooling, dense, act, normalize = "mean", None, None, False
    mp = os.path.join(d, "modules.json")
    if not os.path.exists(mp):
        return pooling, dense, act, normalize
    for m in json.load(open(mp)):
        t = m["type"].split(".")[-1]
        if t == "Pooling":
            pc = json.load(open(os.path.join(d, m["path"], "config.json")))
            pooling = "cls" if pc["pooling_mode_cls_token"] else "mean"
        elif t == "Dense":
            dc = json.load(open(os.path.join(d, m["path"], "config.json")))
            w = read_safetensors(os.path.join(d, m["path"], "model.safetensors"))
            dense = nn.Linear(dc["in_features"], dc["out_features"]).double()
            with torch.no_grad():
                dense.weight.copy_(w["linear.weight"])
                dense.bias.copy_(w["linear.bias"])
            act = dc["activation_function"].split(".")[-1].lower()
        elif t == "Normalize":
            normalize = True
    return pooling, dense, act, normalize


def main():
    torch.set_grad_enabled(True)
    vocab = {}
    with open(os.path.join(GEN, "tiny-bert", "vocab.txt"), encoding="utf-8") as f:
        for i, line in enumerate(f):
            vocab[line.rstrip("\n")] = i
    texts = QUERIES + PASSAGES
    rows = [wordpiece(t, vocab) for t in texts]
    S = max(len(r) for r in rows)
    for name in ("tiny-bert", "tiny-xlmr", "tiny-distilbert"):
        d = os.path.join(GEN, name)
        cfg = json.load(open(os.path.join(d, "config.json")))
        head = st_head(d)
        model = RefEncoder(cfg, head).double()
        if head[1] is not None:
            model.dense = head[1]
        model.load(read_safetensors(os.path.join(d, "model.safetensors")))
        model.train()  # dropout is 0; train mode keeps PyTorch off its inference fast path
        pad = cfg["pad_token_id"]
        ids = torch.tensor([r + [pad] * (S - len(r)) for r in rows])
        mask = torch.tensor([[1] * len(r) + [0] * (S - len(r)) for r in rows])
        emb = model(ids, mask)
        nq = len(QUERIES)
        q = F.normalize(emb[:nq], dim=1)
        p = F.normalize(emb[nq:], dim=1)
        loss = F.cross_entropy(q @ p.T / TEMPERATURE, torch.arange(nq))
        loss.backward()
        H = model.H
        l0, l1 = model.layers[0], model.layers[-1]
        prefix_layer = "transformer.layer" if model.distil else "encoder.layer"
        qn = "attention.q_lin" if model.distil else "attention.self.query"
        vn = "attention.v_lin" if model.distil else "attention.self.value"
        f1n = "ffn.lin1" if model.distil else "intermediate.dense"
        ln2n = "output_layer_norm" if model.distil else "output.LayerNorm"
        on = "attention.out_lin" if model.distil else "attention.output.dense"
        last = len(model.layers) - 1

        def flat(t):
            return [float(x) for x in t.detach().reshape(-1)]

        grads = {
            f"{prefix_layer}.0.{qn}.weight": l0.self_attn.in_proj_weight.grad[:H],
            f"{prefix_layer}.0.{vn}.bias": l0.self_attn.in_proj_bias.grad[2 * H :],
            f"{prefix_layer}.{last}.{f1n}.weight": l1.linear1.weight.grad,
            f"{prefix_layer}.{last}.{on}.weight": l1.self_attn.out_proj.weight.grad,
            f"{prefix_layer}.{last}.{ln2n}.weight": l1.norm2.weight.grad,
            "embeddings.LayerNorm.bias": model.ln.bias.grad,
            "embeddings.position_embeddings.weight": model.pos.weight.grad[: S + pad + 1],
        }
        if model.dense is not None:
            grads["2_Dense/linear.weight"] = model.dense.weight.grad
        word_rows = sorted({rows[0][0], rows[0][1], rows[1][2], rows[3][3], rows[5][-2]})
        out = {
            "model": name,
            "generator": "scripts/golden_encoder.py (PyTorch %s, float64, nn.TransformerEncoderLayer)" % torch.__version__,
            "texts": texts,
            "temperature": TEMPERATURE,
            "n_queries": nq,
            "inputs": {"ids": ids.tolist(), "mask": mask.tolist()},
            "pooling": head[0],
            "embeddings": [flat(e) for e in emb],
            "loss": float(loss),
            "grads": {k: {"shape": list(v.shape), "values": flat(v)} for k, v in grads.items()},
            "word_embedding_grad_rows": {
                "rows": word_rows,
                "values": [flat(model.word.weight.grad[r]) for r in word_rows],
            },
        }
        path = os.path.join(OUT, f"golden-{name}.json")
        with open(path, "w") as f:
            json.dump(out, f, separators=(",", ":"))
        print(f"{path}: loss {float(loss):.6f}, {os.path.getsize(path)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
