#!/usr/bin/python3
"""Peer for bench/w2s/lda_vs_gensim.ts: gensim's LdaModel (online VB) on sensescape's own counts.

  gensim_lda.py DIR K SEED PASSES

DIR holds the counts as sensescape exported them (no re-tokenising): meta.json {rows, cols, nnz},
indptr.i32, indices.i32, values.f32 (CSR, little-endian). Trains LdaModel with alpha = 0.1/K per
topic (0.1 in total), eta = 0.001, chunksize 2000, PASSES passes, random_state SEED; times the
training alone. Then infers theta for every row (not timed) and writes DIR/gensim_theta.f32 [rows, K]
and DIR/gensim_beta.f32 [K, cols], both row-normalised, and prints one JSON line
{seconds, infer_seconds, passes}. The perplexity is computed by the bench, in one place, for both models.
"""
import json
import sys
import time

import numpy as np
import scipy.sparse as sp
from gensim.matutils import Sparse2Corpus
from gensim.models import LdaModel

d, K, seed, passes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
meta = json.load(open(f"{d}/meta.json"))
indptr = np.fromfile(f"{d}/indptr.i32", dtype="<i4")
indices = np.fromfile(f"{d}/indices.i32", dtype="<i4")
values = np.fromfile(f"{d}/values.f32", dtype="<f4")
m = sp.csr_matrix((values, indices, indptr), shape=(meta["rows"], meta["cols"]))
corpus = Sparse2Corpus(m, documents_columns=False)
id2word = {i: str(i) for i in range(meta["cols"])}
t0 = time.time()
lda = LdaModel(
    corpus=corpus,
    id2word=id2word,
    num_topics=K,
    alpha=np.full(K, 0.1 / K, dtype=np.float32),
    eta=0.001,
    chunksize=2000,
    passes=passes,
    random_state=seed,
)
seconds = time.time() - t0
t1 = time.time()
beta = lda.get_topics().astype(np.float32)  # [K, V], rows normalised
theta = np.zeros((meta["rows"], K), dtype=np.float32)
docs = list(corpus)
for s in range(0, len(docs), 2000):
    gamma, _ = lda.inference(docs[s : s + 2000])
    theta[s : s + len(gamma)] = gamma / gamma.sum(axis=1, keepdims=True)
theta.tofile(f"{d}/gensim_theta.f32")
beta.tofile(f"{d}/gensim_beta.f32")
print(json.dumps({"seconds": seconds, "infer_seconds": time.time() - t1, "passes": passes}))
