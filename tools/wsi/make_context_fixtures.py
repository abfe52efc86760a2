#!/usr/bin/env python3
"""Reference numbers for WordCtx2Sense and complete-linkage clustering.

- WordCtx2Sense: a small random Word2Sense model (float32 values) and a few contexts, run through a
  numpy transcription of the authors' Infer.py (InferContext.mwu/grad with the a/(a+p(v)) context
  weights of Infer_Word_in_Context.py and ψ⁰ = raw vector ⊘ p_Z, top-N, L1), including a run whose
  first Lipschitz guess overflows so that L doubles.
- Complete linkage: sklearn AgglomerativeClustering(linkage='complete', precomputed distances) on
  random symmetric matrices, the labels it assigns.

Run: /usr/bin/python3 tools/wsi/make_context_fixtures.py  → tests/fixtures/wsi/context.json
"""
import json
import os

import numpy as np
from sklearn.cluster import AgglomerativeClustering

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
rng = np.random.default_rng(8)
K, V = 12, 40


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


beta = f32(rng.dirichlet(np.full(V, 0.3), size=K))          # [K, V]
theta = f32(rng.dirichlet(np.full(K, 0.2), size=V))          # [V, K]
counts = rng.integers(1, 200, size=V).astype(np.float64)
p_word = f32(counts / counts.sum())
p_sense = f32(p_word @ theta)


def psi0_of(w, top):
    if w is None:
        return np.full(K, 1.0 / K)
    raw = (theta[w] + beta[:, w] * p_sense / p_word[w]) / p_sense
    order = sorted(range(K), key=lambda z: (-raw[z], z))[:top]
    out = np.zeros(K)
    out[order] = raw[order]
    return out / out.sum()


def infer(w, ctx, lam, top, iters=15, lf=10.0, a=0.0012):
    wt = psi0_of(w, top)
    nnz = np.nonzero(wt)[0]
    words, cnt = np.unique(np.asarray(ctx), return_counts=True)
    vals = cnt * (a / (a + p_word[words]))
    vals = vals / vals.sum()
    keep = [i for i, v in enumerate(words) if beta[nnz, v].sum() > 1e-10]
    M = beta[np.ix_(nnz, words[keep])].T                        # [words, nnz]
    doc = vals[keep]
    converged = False
    for _ in range(15):
        x = wt[nnz].copy()
        with np.errstate(all='ignore'):
            for it in range(iters):
                z = doc / (M @ x)
                g = M.T @ z - lam * (np.log(x / wt[nnz]) + 1.0)
                eta = np.sqrt(2.0 * np.log(float(K)) / (it + 1)) / lf
                x = x * np.exp(eta * g)
                x = x / x.sum()
        s = x.sum()
        if not np.isnan(s) and not np.isinf(s) and s != 0:
            if abs(1.0 - s) <= 0.01:
                converged = True
                break
        else:
            lf *= 2.0
    out = np.zeros(K)
    if converged:
        out[nnz] = x
    else:
        out = wt
    return out, converged, lf


cases = []
for i, (w, lam, top, lf) in enumerate([(3, 1e-2, 100, 10.0), (7, 1e-2, 5, 10.0), (11, 1.0, 100, 10.0), (20, 1e-2, 8, 1e-4), (None, 1e-2, 100, 10.0)]):
    ctx = [int(v) for v in rng.integers(0, V, size=25)]
    if w is not None:
        ctx.append(w)
    psi, conv, lf_used = infer(w, ctx, lam, top, lf=lf)
    cases.append({'word': w, 'context': ctx, 'lambda': lam, 'topSenses': top, 'lipschitz': lf,
                  'psi0': psi0_of(w, top).tolist(), 'psi': psi.tolist(), 'converged': bool(conv), 'lipschitzUsed': lf_used})

linkage = []
for n, k in [(6, 2), (9, 3), (12, 5), (4, 4), (7, 1)]:
    x = rng.random((n, 3))
    d = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(-1))
    try:
        cl = AgglomerativeClustering(n_clusters=k, metric='precomputed', linkage='complete')
    except TypeError:
        cl = AgglomerativeClustering(n_clusters=k, affinity='precomputed', linkage='complete')
    labels = cl.fit(d).labels_
    linkage.append({'distances': d.tolist(), 'k': k, 'labels': [int(l) for l in labels]})

fx = {'K': K, 'V': V, 'beta': beta.ravel().tolist(), 'theta': theta.ravel().tolist(), 'pWord': p_word.tolist(),
      'pSense': p_sense.tolist(), 'cases': cases, 'linkage': linkage}
json.dump(fx, open(os.path.join(ROOT, 'tests', 'fixtures', 'wsi', 'context.json'), 'w'))
for c in cases:
    print(c['word'], c['converged'], c['lipschitzUsed'], np.argmax(c['psi']))
