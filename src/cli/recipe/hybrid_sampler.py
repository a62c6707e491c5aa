"""Hybrid batch sampling (arXiv 2408.10536) for PyTorch, the same samplers as Polyglot Lab's
(src/core/train/samplers/): each batch is monolingual (X-X: query and passage in one language)
with probability alpha, else cross-lingual (X-Y), never per pair; no parallel group and no
passage twice in a batch (they would be false in-batch negatives).

Depends on PyTorch only. Batches are lists of indices into `pair_table(groups)`, so any
Dataset built from that table (sentence-transformers' anchor/positive columns, see train.py)
can be fed by `torch.utils.data.DataLoader(dataset, batch_sampler=sampler)`.

groups: a list of {"id": str, "langs": {lang: {"query": str | None, "positive": str | None}}},
as export-recipe writes them to train_groups.jsonl.
"""
import math

import torch


def alpha_at(schedule, step):
    """Alpha (the probability of an X-X batch) at a step, for the fixed schedules; adaptive starts at initial."""
    kind = schedule["kind"]
    if kind == "constant":
        return schedule["alpha"]
    t = lambda steps: min(1.0, max(0, step) / steps)
    if kind == "linear":
        return schedule["from"] + (schedule["to"] - schedule["from"]) * t(schedule["steps"])
    if kind == "cosine":
        return schedule["to"] + (schedule["from"] - schedule["to"]) * (1 + math.cos(math.pi * t(schedule["steps"]))) / 2
    if kind == "step":
        values = schedule["values"]
        return values[min(max(0, step) // schedule["every"], len(values) - 1)]
    if kind == "adaptive":
        return schedule["initial"]
    raise ValueError("unknown alpha schedule %r" % kind)


def pair_table(groups):
    """Every (group, query language, passage language) a sampler may draw, in a fixed order: index -> triple."""
    table = []
    for gi, g in enumerate(groups):
        langs = sorted(g["langs"])
        for x in langs:
            if g["langs"][x].get("query") is None:
                continue
            for y in langs:
                if g["langs"][y].get("positive") is not None:
                    table.append((gi, x, y))
    return table


class HybridBatchSampler(torch.utils.data.Sampler):
    """kind: xx | xy | multi | hybrid; cross_mode: batch (one (x, y) per batch) | pair (per example)."""

    def __init__(self, groups, languages, batch_size, kind="hybrid", cross_mode="batch",
                 schedule=None, steps=1000, seed=0):
        if batch_size < 2:
            raise ValueError("batch size %d is too small for in-batch negatives" % batch_size)
        if batch_size > len(groups):
            raise ValueError("batch size %d is larger than the %d parallel groups" % (batch_size, len(groups)))
        if kind in ("xy", "hybrid") and len(languages) < 2:
            raise ValueError("X-Y batches need two or more training languages")
        self.groups = groups
        self.languages = sorted(languages)
        self.batch_size = batch_size
        self.kind = kind
        self.cross_mode = cross_mode
        self.schedule = schedule or {"kind": "constant", "alpha": 0.5}
        self.steps = steps
        self.generator = torch.Generator().manual_seed(seed)
        self.index = {t: i for i, t in enumerate(pair_table(groups))}
        self.step = 0
        self.alpha = alpha_at(self.schedule, 0)
        self.last_was_mono = False

    def __len__(self):
        return self.steps

    # -- random draws (torch's generator: seeded, reproducible) --
    def _below(self, n):
        return int(torch.randint(n, (1,), generator=self.generator).item())

    def _uniform(self):
        return float(torch.rand((), generator=self.generator).item())

    def _pick(self, xs):
        return xs[self._below(len(xs))]

    def _fill(self, choose):
        """Groups in random order without replacement; choose(group) -> (x, y) or None."""
        out, used_passages = [], set()
        order = list(range(len(self.groups)))
        i = 0
        while i < len(order) and len(out) < self.batch_size:
            j = i + self._below(len(order) - i)
            order[i], order[j] = order[j], order[i]
            gi = order[i]
            i += 1
            g = self.groups[gi]
            langs = choose(g)
            if langs is None:
                continue
            x, y = langs
            passage = g["langs"][y]["positive"]
            if passage in used_passages:
                continue
            used_passages.add(passage)
            out.append(self.index[(gi, x, y)])
        return out

    @staticmethod
    def _has(g, lang, side):
        s = g["langs"].get(lang)
        return s is not None and s.get(side) is not None

    def _mono(self):
        x = self._pick(self.languages)
        return self._fill(lambda g: (x, x) if self._has(g, x, "query") and self._has(g, x, "positive") else None)

    def _cross(self):
        if self.cross_mode == "pair":
            def choose(g):
                options = [(x, y) for x in sorted(g["langs"]) if self._has(g, x, "query")
                           for y in sorted(g["langs"]) if y != x and self._has(g, y, "positive")]
                return self._pick(options) if options else None
            return self._fill(choose)
        x = self._pick(self.languages)
        y = self._pick([l for l in self.languages if l != x])
        return self._fill(lambda g: (x, y) if self._has(g, x, "query") and self._has(g, y, "positive") else None)

    def _multi(self):
        def choose(g):
            qs = [l for l in sorted(g["langs"]) if self._has(g, l, "query")]
            ps = [l for l in sorted(g["langs"]) if self._has(g, l, "positive")]
            return (self._pick(qs), self._pick(ps)) if qs and ps else None
        return self._fill(choose)

    def next_batch(self):
        if self.schedule["kind"] != "adaptive":
            self.alpha = alpha_at(self.schedule, self.step)
        self.step += 1
        mono = self.kind == "xx" or (self.kind == "hybrid" and self._uniform() < self.alpha)
        self.last_was_mono = mono
        if mono:
            return self._mono()
        if self.kind == "multi":
            return self._multi()
        return self._cross()

    def __iter__(self):
        for _ in range(self.steps):
            yield self.next_batch()

    def update(self, mono, cross):
        """The adaptive rule after a validation (losses, or mAPs with signal "map"); returns the new alpha."""
        s = self.schedule
        if s["kind"] != "adaptive":
            return self.alpha
        total = mono + cross
        if total == 0:
            return self.alpha
        worse_mono = (mono - cross) / total if s["signal"] == "loss" else (cross - mono) / total
        self.alpha = min(s["max"], max(s["min"], self.alpha + s["rate"] * worse_mono))
        return self.alpha
