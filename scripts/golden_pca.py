"""Golden 2-D PCA projections for src/core/eval/projection.ts, from numpy's SVD of the centred data
(signs fixed so each axis's largest-magnitude coordinate is positive). Writes test/fixtures/eval/pca-golden.json.

Run: python3 scripts/golden_pca.py
"""
import json
import numpy as np

rng = np.random.default_rng(11)
# Three clusters in 24 dimensions with different spreads, so the first two components are well separated.
centres = rng.normal(0, 3, (3, 24))
x = np.concatenate([c + rng.normal(0, s, (20, 24)) for c, s in zip(centres, [0.5, 1.0, 1.5])]).astype(np.float32)
xc = x.astype(np.float64) - x.astype(np.float64).mean(axis=0)
u, s, vt = np.linalg.svd(xc, full_matrices=False)
proj = xc @ vt[:2].T
for c in range(2):
    if proj[np.argmax(np.abs(proj[:, c])), c] < 0:
        proj[:, c] *= -1
explained = (s[:2] ** 2 / (s ** 2).sum()).tolist()
json.dump({"generator": "numpy.linalg.svd on the centred float32 data, float64", "rows": x.shape[0], "dim": x.shape[1],
           "data": x.flatten().tolist(), "coords": proj.flatten().tolist(), "explained": explained},
          open("test/fixtures/eval/pca-golden.json", "w"))
print(explained)
