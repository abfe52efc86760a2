#!/usr/bin/python3
"""Which anchor rule starts LDA best on the bench's planted matrix: an independent numpy
prototype (float64) of the anchor start and of incremental variational Bayes, used to choose the
rule in src/engine/word2sense/ldaInit.ts (figures quoted there and in docs/word2sense.md).

  /usr/bin/python3 bench/w2s/anchor_rules.py [RULE=corrected|plain|median] [PASSES=3] [GROUPS=16]

RULE: SPA over the row-normalised counts with each row's squared norm reduced by its multinomial
noise term (1 - |P|^2)/(n - 1) ("corrected", sensescape's rule, without its half-median floor),
without it ("plain"), or plain SPA over rows of at least the median token count ("median").
Needs /tmp/w2s-bench-4000-60-1500-1/planted.npz (made by bench/w2s/lda_vs_sklearn.ts).
Prints the perplexity exp(-sum C log sum_k theta beta / sum C) after each pass.
"""
import sys, time
import numpy as np
from scipy.special import psi
from scipy.sparse import csr_matrix

p = np.load('/tmp/w2s-bench-4000-60-1500-1/planted.npz')
V, K = p['theta'].shape
C = csr_matrix((p['vals'].astype(np.float64), (p['rows'], p['cols'])), shape=(V, V)).toarray()
D, alpha, eta = V, 0.1 / K, 0.001


def expelog(a):
    return np.exp(psi(a) - psi(a.sum(1, keepdims=True)))


def perplexity(theta, beta):
    X = theta @ beta
    m = C > 0
    return np.exp(-(C[m] * np.log(X[m])).sum() / C.sum())


def anchors(rule):
    n = C.sum(1)
    P = C / n[:, None]
    R = P.copy()
    noise = (1 - (P ** 2).sum(1)) / np.maximum(n - 1, 1)
    chosen = []
    for _ in range(K):
        s = (R ** 2).sum(1)
        if rule == 'corrected':
            s = s - noise
            s[n < 2] = -np.inf
        if rule == 'median':
            s[n < np.median(n)] = -np.inf
        s[chosen] = -np.inf
        j = int(np.argmax(s))
        chosen.append(j)
        u = R[j] / np.linalg.norm(R[j])
        R -= np.outer(R @ u, u)
    return P[chosen]


def incremental_vb(lam, passes, groups, rng):
    blocks = np.array_split(rng.permutation(D), groups)
    stats = [(lam - eta) / groups for _ in range(groups)]
    total = sum(stats)
    gamma = np.zeros((D, K))
    t0 = time.time()
    for it in range(1, passes + 1):
        for b, idx in enumerate(blocks):
            btil = expelog(eta + total)
            g = rng.gamma(100, 0.01, (len(idx), K))
            Cb = C[idx]
            active = np.arange(len(idx))
            for _ in range(100):  # E-step to convergence (sklearn's absolute 1e-2 on mean |change|)
                if not len(active):
                    break
                th = expelog(g[active])
                new = alpha + th * ((Cb[active] / (th @ btil + 1e-100)) @ btil.T)
                change = np.abs(new - g[active]).mean(1)
                g[active] = new
                active = active[change >= 1e-2]
            th = expelog(g)
            fresh = btil * (th.T @ (Cb / (th @ btil + 1e-100)))
            total = total - stats[b] + fresh
            stats[b] = fresh
            gamma[idx] = g
        lam = eta + total
        pp = perplexity(gamma / gamma.sum(1, keepdims=True), lam / lam.sum(1, keepdims=True))
        print(f'pass {it}: perplexity {pp:.1f} ({time.time() - t0:.0f} s)', flush=True)


if __name__ == '__main__':
    rule = sys.argv[1] if len(sys.argv) > 1 else 'corrected'
    passes = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    groups = int(sys.argv[3]) if len(sys.argv) > 3 else 16
    rng = np.random.default_rng(1000)
    lam0 = rng.gamma(100, 0.01, (K, V)) + V * anchors(rule)
    print(f'rule {rule}, {groups} groups; planted truth {perplexity(p["theta"], p["beta"]):.1f}')
    incremental_vb(lam0, passes, groups, rng)
