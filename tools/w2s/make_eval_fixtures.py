#!/usr/bin/python3
"""Reference values for the Word2Sense evaluation maths, computed with scipy/sklearn, written to
tests/fixtures/w2s/eval.json (small). Run: /usr/bin/python3 tools/w2s/make_eval_fixtures.py

- js: Jensen-Shannon divergence, natural log = scipy.spatial.distance.jensenshannon(p, q)**2
- kl: scipy.stats.entropy(p, q) on eps-smoothed, renormalised vectors (the entailment smoothing)
- spearman: scipy.stats.spearmanr (average ranks for ties)
- ap: sklearn.metrics.average_precision_score; best_f1: max F1 over precision_recall_curve
"""
import json, os
import numpy as np
from scipy.spatial.distance import jensenshannon
from scipy.stats import entropy, spearmanr
from sklearn.metrics import average_precision_score, precision_recall_curve

rng = np.random.default_rng(20261128)
out = {"js": [], "kl": [], "spearman": [], "ap": []}

def sparse_dist(n, k):
    v = np.zeros(n)
    idx = rng.choice(n, size=k, replace=False)
    v[idx] = rng.dirichlet(np.full(k, 0.5))
    return v

for _ in range(8):
    n = int(rng.integers(5, 40))
    p = sparse_dist(n, int(rng.integers(1, n)))
    q = sparse_dist(n, int(rng.integers(1, n)))
    out["js"].append({"p": p.tolist(), "q": q.tolist(), "js": float(jensenshannon(p, q) ** 2)})
    eps = float(rng.choice([1e-6, 1e-4, 1e-2]))
    ps = (p + eps) / (1 + n * eps)
    qs = (q + eps) / (1 + n * eps)
    out["kl"].append({"p": p.tolist(), "q": q.tolist(), "epsilon": eps, "kl": float(entropy(ps, qs)), "kl_rev": float(entropy(qs, ps))})

for _ in range(6):
    n = int(rng.integers(5, 60))
    x = rng.integers(0, 8, size=n).astype(float)  # many ties
    y = x + rng.normal(0, 3, size=n)
    y = np.round(y, 0)
    out["spearman"].append({"x": x.tolist(), "y": y.tolist(), "rho": float(spearmanr(x, y).correlation)})

for _ in range(6):
    n = int(rng.integers(6, 80))
    labels = rng.integers(0, 2, size=n)
    labels[0], labels[1] = 0, 1
    scores = np.round(labels * 0.8 + rng.normal(0, 1, size=n), 1)  # ties
    prec, rec, _ = precision_recall_curve(labels, scores)
    f1 = np.where(prec + rec > 0, 2 * prec * rec / np.maximum(prec + rec, 1e-300), 0)
    out["ap"].append({"labels": labels.tolist(), "scores": scores.tolist(), "ap": float(average_precision_score(labels, scores)), "best_f1": float(f1.max())})

path = os.path.join(os.path.dirname(__file__), "../../tests/fixtures/w2s/eval.json")
with open(path, "w") as f:
    json.dump(out, f)
print(path, os.path.getsize(path), "bytes")
