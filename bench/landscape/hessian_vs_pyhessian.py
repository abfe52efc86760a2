"""PyTorch side of bench/landscape/hessian_vs_pyhessian.ts: PyHessian's algorithms written out (PyHessian itself is
not installable here) over exact Hessian-vector products (double backward, float32, torch.set_num_threads(2)):

  hessian_vs_pyhessian.py DIR TSV N L B ITERS TOL M SEED

top eigenvalue by power iteration (PyHessian `eigenvalues`: relative tolerance TOL, at most ITERS products) and the
Hutchinson trace over M Rademacher vectors (mean and standard error), of the mean loss of the checkpoint DIR on the
first N rows of TSV (max length L, batch B), eval mode. Prints one JSON line with the figures and the seconds.
"""
import json
import math
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tools', 'bert'))
import reference as R  # noqa: E402


def main():
    d, tsv, n, max_length, batch, iters, tol, m, seed = sys.argv[1:10]
    n, max_length, batch, iters, m, seed = int(n), int(max_length), int(batch), int(iters), int(m), int(seed)
    tol = float(tol)
    torch.set_num_threads(2)
    torch.manual_seed(seed)
    t0 = time.perf_counter()
    model, tok, cfg = R.load_checkpoint_dir(d)
    model.eval()
    examples = R.read_tsv_examples(tsv, cfg.label2id)[:n]
    batches = R.encode_batches(tok, examples, max_length, batch)
    params = [p for p in model.parameters() if p.requires_grad]
    total = len(examples)

    def hvp(v):
        out = [torch.zeros_like(p) for p in params]
        for ids, mask, tt, labels in batches:
            _, logits = model(ids, mask, tt)
            loss = torch.nn.functional.cross_entropy(logits, torch.tensor(labels), reduction='sum') / total
            g = torch.autograd.grad(loss, params, create_graph=True)
            hv = torch.autograd.grad(sum((gi * vi).sum() for gi, vi in zip(g, v)), params)
            out = [o + h.detach() for o, h in zip(out, hv)]
        return out

    def dot(a, b):
        return sum(float((x * y).sum()) for x, y in zip(a, b))

    def normalize(a):
        s = math.sqrt(dot(a, a))
        return [x / (s + 1e-6) for x in a]

    t1 = time.perf_counter()
    v = normalize([torch.randn_like(p) for p in params])
    eigenvalue = None
    hvps = 0
    for _ in range(iters):
        hv = hvp(v)
        hvps += 1
        cur = dot(hv, v)
        v = normalize(hv)
        if eigenvalue is not None and abs(eigenvalue - cur) / (abs(eigenvalue) + 1e-6) < tol:
            eigenvalue = cur
            break
        eigenvalue = cur
    t_eig = time.perf_counter() - t1
    t2 = time.perf_counter()
    xs = []
    for _ in range(m):
        v = [torch.randint_like(p, high=2) * 2 - 1 for p in params]
        xs.append(dot(hvp(v), v))
    t_trace = time.perf_counter() - t2
    mean = sum(xs) / len(xs)
    sd = math.sqrt(sum((x - mean) ** 2 for x in xs) / (len(xs) - 1)) if len(xs) > 1 else float('nan')
    print(json.dumps({'eigenvalue': eigenvalue, 'eig_hvps': hvps, 'eig_s': t_eig, 'trace': mean,
                      'trace_stderr': sd / math.sqrt(len(xs)), 'trace_samples': len(xs), 'trace_s': t_trace,
                      'load_s': t1 - t0, 'examples': total, 'threads': torch.get_num_threads(), 'torch': torch.__version__}))


if __name__ == '__main__':
    main()
