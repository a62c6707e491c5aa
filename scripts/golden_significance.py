"""Golden p-values for src/core/eval/significance.ts from scipy.stats.permutation_test
(paired, exact: every sign assignment). Writes test/fixtures/eval/significance-golden.json.

Run: python3 scripts/golden_significance.py
"""
import json
import numpy as np
from scipy.stats import permutation_test

rng = np.random.default_rng(7)
cases = []
for n in [3, 5, 8, 12]:
    a = np.round(rng.random(n), 4)
    b = np.round(np.clip(a + rng.normal(0.15, 0.2, n), 0, 1), 4)
    res = permutation_test((a, b), lambda x, y, axis: np.mean(y - x, axis=axis), permutation_type='samples',
                           vectorized=True, n_resamples=np.inf, alternative='two-sided')
    cases.append({"a": a.tolist(), "b": b.tolist(), "p": float(res.pvalue), "diff": float(np.mean(b - a))})
json.dump({"generator": "scipy.stats.permutation_test, permutation_type='samples', exact, two-sided",
           "scipy": __import__('scipy').__version__, "cases": cases},
          open("test/fixtures/eval/significance-golden.json", "w"), indent=1)
print(json.dumps(cases, indent=1))
