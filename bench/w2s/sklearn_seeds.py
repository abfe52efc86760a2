"""sklearn's batch LDA on the bench's planted matrix with other seeds: how much its 20-iteration perplexity
depends on random_state (docs/word2sense.md).   /usr/bin/python3 bench/w2s/sklearn_seeds.py [DIR] SEED...
Uses the peer script's data and perplexity (../shared/bench/planted_lda.py); DIR defaults to the bench's cache.
"""
import json, os, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'shared', 'bench'))
import numpy as np
from scipy.sparse import csr_matrix
import planted_lda as P
from sklearn.decomposition import LatentDirichletAllocation
args = sys.argv[1:]
out = args.pop(0) if args and not args[0].isdigit() else '/tmp/w2s-bench-4000-60-1500-1'
p = np.load(f"{out}/planted.npz")
V, K = p["theta"].shape
X = csr_matrix((p["vals"].astype(np.float64), (p["rows"], p["cols"])), shape=(V, V))
for rs in map(int, args):
    lda = LatentDirichletAllocation(n_components=K, doc_topic_prior=0.1 / K, topic_word_prior=0.001, learning_method="batch", max_iter=20, random_state=rs, n_jobs=1)
    t0 = time.perf_counter(); theta = lda.fit_transform(X); secs = time.perf_counter() - t0
    beta = lda.components_ / lda.components_.sum(1, keepdims=True); theta = theta / theta.sum(1, keepdims=True)
    print(json.dumps({"random_state": rs, "seconds": secs, "perplexity": P.perplexity(p, theta, beta)}), flush=True)
