"""Reference clusters and adjusted mutual information for sensescape's sense probe (/usr/bin/python3).

Writes tests/fixtures/landscape/senses/clusters.json:
  * `linkage`: sets of vectors (float32 values, seeded; some with exact ties: duplicated vectors and
    symmetric points), each with scipy's `linkage(X, method='average', metric='cosine')` (Z) and
    `fcluster(Z, K, criterion='maxclust')` for several K;
  * `ami`: pairs of labellings (seeded, plus edge cases) with sklearn's
    `adjusted_mutual_info_score(u, v)` (default average_method='arithmetic').
Deterministic. The TS tests (src/engine/eval/averageLinkage.test.ts, ami.test.ts) must equal these.
"""
from __future__ import annotations

import json
import os

import numpy as np
import scipy
import sklearn
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.metrics import adjusted_mutual_info_score

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, 'tests', 'fixtures', 'landscape', 'senses', 'clusters.json')


def vector_sets():
    rng = np.random.RandomState(20)
    sets = []
    for n, dim in ((2, 4), (3, 4), (5, 3), (8, 16), (20, 16), (60, 16), (150, 8)):
        sets.append(dict(name=f'gaussian-{n}x{dim}', x=rng.randn(n, dim)))
    # Three separated directions with noise: clusters a probe should find.
    centres = rng.randn(3, 12)
    sets.append(dict(name='three-directions', x=np.concatenate([c + 0.3 * rng.randn(15, 12) for c in centres])))
    # Exact ties: duplicated rows (distance 0) and a symmetric configuration (equal distances).
    base = rng.randn(6, 5)
    sets.append(dict(name='duplicates', x=np.concatenate([base, base[:3], base[:1]])))
    sets.append(dict(name='square', x=np.array([[1, 0], [0, 1], [-1, 0], [0, -1], [1, 1]], dtype=float)))
    out = []
    for s in sets:
        x = s['x'].astype(np.float32).astype(np.float64)
        Z = linkage(x, method='average', metric='cosine')
        ks = sorted({1, 2, 3, 4, 5, 7, len(x) - 1, len(x), len(x) + 1} - {0})
        out.append(dict(name=s['name'], x=x.tolist(), Z=Z.tolist(),
                        maxclust={str(k): fcluster(Z, k, criterion='maxclust').tolist() for k in ks}))
    return out


def label_pairs():
    rng = np.random.RandomState(3)
    pairs = []
    for n, ku, kv in ((10, 2, 3), (30, 3, 3), (50, 5, 2), (100, 4, 7), (7, 7, 2), (200, 10, 10)):
        u = rng.randint(0, ku, n)
        v = np.where(rng.rand(n) < 0.6, u % kv, rng.randint(0, kv, n))
        pairs.append((u.tolist(), v.tolist()))
    pairs += [
        ([0, 0, 0, 0], [1, 1, 1, 1]),  # both a single cluster
        ([0, 0, 1, 1], [5, 5, 5, 5]),  # one side a single cluster
        ([0, 1, 2, 3], [0, 1, 2, 3]),  # identical, all singletons
        ([0, 0, 1, 1, 2, 2], [2, 2, 0, 0, 1, 1]),  # a permutation
        ([0], [0]),
        ([0, 1], [0, 0]),
    ]
    return [dict(u=u, v=v, ami=float(adjusted_mutual_info_score(u, v))) for u, v in pairs]


def main():
    out = dict(generator='tools/landscape/senses_cluster_reference.py', scipy=scipy.__version__,
               sklearn=sklearn.__version__, linkage=vector_sets(), ami=label_pairs())
    with open(OUT, 'w') as f:
        json.dump(out, f, separators=(',', ':'))
    print('wrote', OUT)


if __name__ == '__main__':
    main()
