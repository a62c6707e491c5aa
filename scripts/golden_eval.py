#!/usr/bin/python3
"""Golden fixture for the evaluation engine (src/core/eval).

Writes test/fixtures/eval/golden.json. Run with Debian's python3 (numpy +
scikit-learn):  /usr/bin/python3 scripts/golden_eval.py

Independent of the TypeScript code by construction: rankings are full sorts
(Python's sort on (score, docid) reversed = score desc, docid desc), metrics
are computed from the ranked label vector, and AP is cross-checked against
sklearn.metrics.average_precision_score (LAReQA's mAP) where that is
meaningful. sklearn groups tied scores instead of breaking ties by docid, so
it is compared only on tie-free cases (asserted: min score gap > 1e-5, wide
enough that float32 tfjs scores cannot reorder); the tie rule is checked on
integer embeddings with heavy ties (exact in float32 and float64) against
this script's own tie-broken ranking, and on a hand-written case.
"""
import json
import math
import os

import numpy as np
import sklearn
from sklearn.metrics import average_precision_score

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'eval', 'golden.json')
NAMES = ['map', 'ndcg_cut_10', 'recall_1', 'recall_10', 'recall_100', 'recip_rank_10', 'success_1', 'success_10', 'success_100']


def scores_of(q, c, similarity):
    q = np.asarray(q, dtype=np.float64)
    c = np.asarray(c, dtype=np.float64)
    if similarity == 'cosine':
        qn = np.linalg.norm(q, axis=1, keepdims=True)
        cn = np.linalg.norm(c, axis=1, keepdims=True)
        q = np.where(qn > 0, q / np.where(qn > 0, qn, 1), 0)
        c = np.where(cn > 0, c / np.where(cn > 0, cn, 1), 0)
    return q @ c.T


def ranking(scores, ids):
    """Indices best first: score desc, then docid desc (Python str order = code points)."""
    return sorted(range(len(ids)), key=lambda i: (scores[i], ids[i]), reverse=True)


def metrics_from_ranking(order, ids, judged):
    """judged: {docid: rel} for the query (all qrels entries, in the pool or not)."""
    labels = np.array([judged.get(ids[i], 0) for i in order], dtype=np.float64)
    binary = (labels >= 1).astype(np.float64)
    R = sum(1 for v in judged.values() if v >= 1)
    assert R > 0
    ranks = np.arange(1, len(order) + 1, dtype=np.float64)
    prec = np.cumsum(binary) / ranks
    ap = float(np.sum(prec * binary) / R)
    gains = np.where(labels > 0, labels, 0)[:10]
    dcg = float(np.sum(gains / np.log2(np.arange(2, len(gains) + 2))))
    ideal = np.array(sorted([v for v in judged.values() if v > 0], reverse=True)[:10], dtype=np.float64)
    idcg = float(np.sum(ideal / np.log2(np.arange(2, len(ideal) + 2))))
    hits = np.nonzero(binary)[0]
    first = int(hits[0]) + 1 if len(hits) else math.inf
    out = {'map': ap, 'ndcg_cut_10': dcg / idcg if idcg > 0 else 0.0}
    for k in (1, 10, 100):
        out[f'recall_{k}'] = float(binary[:k].sum() / R)
    out['recip_rank_10'] = 1.0 / first if first <= 10 else 0.0
    for k in (1, 10, 100):
        out[f'success_{k}'] = 1.0 if first <= k else 0.0
    return out


def mean(rows):
    return {n: float(np.mean([r[n] for r in rows])) if rows else 0.0 for n in NAMES}


def f32list(a):
    return [[float(x) for x in row] for row in np.asarray(a, dtype=np.float32)]


def single_pool_case(name, similarity, Q, C, qids, cids, qrels, tie_free):
    S = scores_of(Q, C, similarity)
    per_query, sk = {}, {}
    unjudged = 0
    for qi, qid in enumerate(qids):
        judged = qrels.get(qid, {})
        if not any(v >= 1 for v in judged.values()):
            unjudged += 1
            continue
        m = metrics_from_ranking(ranking(S[qi], cids), cids, judged)
        per_query[qid] = m
        if tie_free:
            srt = np.sort(S[qi])
            assert np.min(np.diff(srt)) > 1e-5, f'{name}: scores too close for a tie-free case'
            y = np.array([1 if judged.get(c, 0) >= 1 else 0 for c in cids])
            in_pool = sum(1 for d, v in judged.items() if v >= 1 and d in set(cids))
            if in_pool == sum(1 for v in judged.values() if v >= 1):
                ap = float(average_precision_score(y, S[qi]))
                assert abs(ap - m['map']) < 1e-12, (name, qid, ap, m['map'])
                sk[qid] = ap
    case = {
        'name': name, 'similarity': similarity,
        'queries': f32list(Q), 'candidates': f32list(C),
        'queryIds': qids, 'candidateIds': cids, 'qrels': qrels,
        'expected': {'perQuery': per_query, 'mean': mean(list(per_query.values())),
                     'numJudged': len(per_query), 'numUnjudged': unjudged},
    }
    if tie_free:
        # sklearn's AP (LAReQA's mAP) on the same queries: the value the TS AP must match.
        case['sklearnAp'] = sk
    return case


def random_qrels(rng, qids, cids, unjudged_qid):
    qrels = {}
    for qid in qids:
        picks = rng.choice(len(cids), size=int(rng.integers(1, 6)), replace=False)
        j = {}
        for t, p in enumerate(picks):
            j[cids[p]] = 0 if (t == 0 and qid == unjudged_qid) else int(rng.choice([1, 1, 2]))
        if qid == unjudged_qid:
            j = {d: 0 for d in j}  # judged, but nothing relevant: left out of the averages
        qrels[qid] = j
    return qrels


def cosine_case():
    for seed in range(1000):
        rng = np.random.default_rng(20240815 + seed)
        Q = rng.standard_normal((12, 8)).astype(np.float32)
        C = rng.standard_normal((80, 8)).astype(np.float32)
        S = scores_of(Q, C, 'cosine')
        if min(np.min(np.diff(np.sort(r))) for r in S) > 1e-5:
            break
    qids = [f'q{i}' for i in range(12)]
    cids = [f'p{int(x)}' for x in rng.permutation(80)]  # unpadded: "p10" < "p9" as strings
    qrels = random_qrels(rng, qids, cids, 'q3')
    return single_pool_case('cosine-random', 'cosine', Q, C, qids, cids, qrels, True)


def ties_case():
    rng = np.random.default_rng(7)
    Q = rng.integers(-1, 2, size=(15, 3)).astype(np.float32)
    C = rng.integers(-1, 2, size=(60, 3)).astype(np.float32)
    qids = [f'q{i}' for i in range(15)]
    cids = [f'd{i}' for i in range(60)]
    qrels = random_qrels(rng, qids, cids, 'q5')
    case = single_pool_case('dot-ties', 'dot', Q, C, qids, cids, qrels, False)
    S = scores_of(Q, C, 'dot')
    # How far sklearn's tie-grouping AP is from the tie-broken AP here (why sklearn is not the reference on ties).
    diffs = []
    for qi, qid in enumerate(qids):
        if qid in case['expected']['perQuery']:
            y = np.array([1 if qrels[qid].get(c, 0) >= 1 else 0 for c in cids])
            diffs.append(abs(float(average_precision_score(y, S[qi])) - case['expected']['perQuery'][qid]['map']))
    case['maxSklearnTieGap'] = max(diffs)
    return case


def hand_case():
    # One query, 1-d embeddings with 'dot': the score of a candidate is its value.
    # Ranking under the tie rule: a(0.9) > [e, c, b](0.5, docid desc) > d(0.1)
    # relevant: b (rel 2, rank 4: the tie rule decides), d (rel 1, rank 5), z (rel 1, not in the pool).
    cids = ['a', 'b', 'c', 'd', 'e']
    C = np.array([[0.9], [0.5], [0.5], [0.1], [0.5]], dtype=np.float32)
    Q = np.array([[1.0], [1.0]], dtype=np.float32)
    qrels = {'h1': {'b': 2, 'd': 1, 'z': 1, 'a': 0}, 'h2': {'a': 0}}
    return single_pool_case('hand', 'dot', Q, C, ['h1', 'h2'], cids, qrels, False)


def lareqa_case():
    """Three languages, parallel questions, one question missing in zh."""
    rng = np.random.default_rng(99)
    langs = ['de', 'en', 'zh']
    groups = [f'g{i}' for i in range(6)]
    dim = 6
    cands, cvecs = [], []
    for lang in langs:
        for a in range(2):
            for s in range(4):
                cands.append((f'{lang}/{a}/0/{s}', lang))
                cvecs.append(rng.standard_normal(dim))
    queries, qvecs, qrels = [], [], {}
    for g_i, g in enumerate(groups):
        a, s = divmod(g_i, 3)
        for lang in langs:
            if lang == 'zh' and g == 'g4':
                continue
            qid = f'{lang}/{g}'
            queries.append((qid, lang, g))
            qvecs.append(rng.standard_normal(dim))
            qrels[qid] = {f'{l}/{a}/0/{s}': 1 for l in langs if not (l == 'zh' and g == 'g4')}
    Q = np.array(qvecs, dtype=np.float32)
    C = np.array(cvecs, dtype=np.float32)
    S = scores_of(Q, C, 'cosine')
    cids = [c for c, _ in cands]
    clang = [l for _, l in cands]
    settings = {'mono': {}, 'cross': {}, 'multi': {}}
    bias_rd = {l: [] for l in langs}
    gaps = {}
    for x in langs:
        for y in langs + ['all']:
            idx = [i for i in range(len(cids)) if y == 'all' or clang[i] == y]
            sub_ids = [cids[i] for i in idx]
            rows, skipped = [], 0
            for qi, (qid, ql, g) in enumerate(queries):
                if ql != x:
                    continue
                judged = {d: v for d, v in qrels[qid].items() if d in set(sub_ids)}
                if not judged:
                    skipped += 1
                    continue
                order = ranking(S[qi][idx], sub_ids)
                rows.append(metrics_from_ranking(order, sub_ids, judged))
                if y == 'all':
                    pos = {sub_ids[o]: r + 1 for r, o in enumerate(order)}
                    rk = {d.split('/')[0]: pos[d] for d in judged}
                    bias_rd[x].append(max(rk.values()) - min(rk.values()))
                    for l2, r2 in rk.items():
                        if l2 != x and x in rk:
                            gaps.setdefault(f'{x}-{l2}', []).append(r2 - rk[x])
            s = 'multi' if y == 'all' else ('mono' if x == y else 'cross')
            settings[s][f'{x}-{y}'] = {**mean(rows), 'num_q': len(rows), 'num_skipped': skipped}
    for s in settings:
        settings[s] = {'pairs': settings[s], 'macro': mean(list(settings[s].values()))}
    bias = {
        'byQueryLang': {l: float(np.mean(v)) for l, v in bias_rd.items()},
        'macro': float(np.mean([np.mean(v) for v in bias_rd.values()])),
        'pairs': {p: {'meanRankGap': float(np.mean(v)), 'num_q': len(v)} for p, v in gaps.items()},
    }
    return {
        'languages': langs,
        'queries': [{'id': q, 'lang': l, 'group': g} for q, l, g in queries],
        'queryEmbeddings': f32list(Q),
        'candidates': [{'id': c, 'lang': l} for c, l in cands],
        'candidateEmbeddings': f32list(C),
        'qrels': qrels,
        'expected': {'settings': settings, 'languageBias': bias},
    }


def trec_case(ties):
    """A run file (truncated at depth 20, scores with ties, lines shuffled) and its qrels, with the
    measures trec_eval would print: -c -m map / -M 100 ndcg_cut.10 / recall.100 / -M 10 recip_rank."""
    rng = np.random.default_rng(5)
    S = scores_of(ties['queries'], ties['candidates'], 'dot')
    cids, qids, qrels = ties['candidateIds'], ties['queryIds'], ties['qrels']
    lines = []
    run_qids = [q for q in qids if q != 'q7'] + ['extra']  # q7: judged, not in the run; extra: not judged
    for qid in run_qids:
        row = S[qids.index(qid)] if qid != 'extra' else S[0]
        order = ranking(row, cids)[:20]
        for r, i in enumerate(order):
            lines.append(f'{qid} Q0 {cids[i]} {int(rng.integers(1, 99))} {float(row[i])!r} golden')
    rng.shuffle(lines)
    per_query = {}
    for qid in qids:
        judged = qrels[qid]
        R = sum(1 for v in judged.values() if v >= 1)
        if R == 0:
            # trec_eval counts a query whose judgments are all 0 and reports 0 for it (checked with trec_eval 10.0).
            per_query[qid] = {k: 0.0 for k in ('map', 'ndcg_cut_10', 'recall_100', 'recip_rank_10')}
            continue
        if qid in run_qids:
            order = ranking(S[qids.index(qid)], cids)[:20]
            m = metrics_from_ranking(order, cids, judged)
        else:
            m = {n: 0.0 for n in NAMES}
        per_query[qid] = {k: m[k] for k in ('map', 'ndcg_cut_10', 'recall_100', 'recip_rank_10')}
    summary = {k: float(np.mean([v[k] for v in per_query.values()])) for k in ('map', 'ndcg_cut_10', 'recall_100', 'recip_rank_10')}
    summary['num_q'] = len(per_query)
    qrels_lines = [f'{q} 0 {d} {v}' for q, j in qrels.items() for d, v in j.items()]
    return {'run': '\n'.join(lines) + '\n', 'qrels': '\n'.join(qrels_lines) + '\n', 'summary': summary, 'perQuery': per_query}


def main():
    fixture = {
        'generator': 'scripts/golden_eval.py',
        'numpy': np.__version__, 'sklearn': sklearn.__version__,
        'cases': [hand_case(), cosine_case(), ties_case()],
        'lareqa': lareqa_case(),
    }
    fixture['trec'] = trec_case(fixture['cases'][2])
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(fixture, f, indent=None, separators=(',', ':'))
        f.write('\n')
    print(f'wrote {os.path.relpath(OUT)} ({os.path.getsize(OUT)} bytes)')
    for c in fixture['cases']:
        print(c['name'], c['expected']['mean']['map'], c.get('maxSklearnTieGap', ''))


if __name__ == '__main__':
    main()
