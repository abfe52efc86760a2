"""BERT-base-sized checkpoints and the PyTorch peer of bench/landscape/base_vs_torch.ts.

  base_bench.py make DIR
      DIR/f32/{origin,ft-a,ft-b} and DIR/f16/{…}: a 12-layer, 768-wide BERT (bert-base-uncased's shapes
      and vocab, 109.5M parameters, HF initialisation, seed 0) as the origin (no classifier head, like a
      pretrained checkpoint), and two "fine-tuned" copies: every tensor moved by seeded Gaussian noise of
      5 % of its own standard deviation, plus a 2-label classifier head (HF init). Hugging Face layout:
      config.json, vocab.txt, model.safetensors (F32 438 MB each, or F16).
  base_bench.py curve ORIGIN TOWARD TSV N L ALPHA0:ALPHA1:K
      What a plain PyTorch script does for the same 1-D curve: load both checkpoints, keep θ0 and
      δ = θ1 − θ0 for the moving tensors (the head comes from TOWARD), and for each α write θ0 + α·δ
      into the model in place (torch.add(..., out=)) and evaluate the first N rows of TSV at max length
      L, batch 32, eval mode, 2 threads. Prints one JSON line: load_s (checkpoints read and the model
      built), points_s, loss per α, peak RSS (ru_maxrss, MB).
"""
import json
import os
import resource
import shutil
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as R  # noqa: E402

SHARED = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', 'shared', 'data'))


def write_dir(d, cfg, state, dtype):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'config.json'), 'w') as f:
        json.dump(cfg.to_json(), f, indent=2)
    shutil.copy(os.path.join(SHARED, 'bert', 'vocab.txt'), os.path.join(d, 'vocab.txt'))
    R.write_safetensors(os.path.join(d, 'model.safetensors'), {k: v.to(dtype) for k, v in state.items()}, {'format': 'pt'})


def make(d):
    torch.manual_seed(0)
    cfg = R.BertConfig(num_labels=2)  # bert-base-uncased's shapes (CONFIG_DEFAULTS)
    model = R.BertForSequenceClassification(cfg)
    full = {k: v.detach().clone() for k, v in model.state_dict().items() if not k.endswith('position_ids')}
    origin = {k: v for k, v in full.items() if not k.startswith('classifier.')}
    for seed, name in ((1, 'ft-a'), (2, 'ft-b')):
        g = torch.Generator().manual_seed(seed)
        moved = {}
        for k, v in full.items():
            if k.startswith('classifier.'):
                moved[k] = v if k.endswith('bias') else torch.randn(v.shape, generator=g) * cfg.initializer_range
            else:
                std = float(v.std()) if v.numel() > 1 else 0.0
                moved[k] = v + 0.05 * (std or 0.02) * torch.randn(v.shape, generator=g)
        for dt, sub in ((torch.float32, 'f32'), (torch.float16, 'f16')):
            write_dir(os.path.join(d, sub, name), cfg, moved, dt)
    no_head = R.BertConfig(num_labels=2)
    for dt, sub in ((torch.float32, 'f32'), (torch.float16, 'f16')):
        write_dir(os.path.join(d, sub, 'origin'), no_head, origin, dt)


def curve(origin_dir, toward_dir, tsv, n, max_length, spec):
    torch.set_num_threads(2)
    t0 = time.perf_counter()
    model, tok, cfg = R.load_checkpoint_dir(toward_dir)
    theta0 = R.read_checkpoint_tensors(origin_dir)
    params = dict(model.named_parameters())
    moving = {}
    for stored, p in params.items():
        n_ = R.normalise_name(stored)
        if n_ in theta0:
            moving[stored] = (theta0[n_], p.detach() - theta0[n_])
    del theta0
    examples = R.read_tsv_examples(tsv, cfg.label2id)[:n]
    batches = R.encode_batches(tok, examples, max_length, 32)
    load_s = time.perf_counter() - t0
    a0, a1, k = spec.split(':')
    alphas = [float(a0) + (float(a1) - float(a0)) * i / (int(k) - 1) for i in range(int(k))]
    losses = []
    t1 = time.perf_counter()
    with torch.inference_mode():
        for a in alphas:
            for stored, (base, delta) in moving.items():
                torch.add(base, delta, alpha=a, out=params[stored].data)
            loss, _, _ = R.evaluate_params(model, None, batches)
            losses.append(loss)
    points_s = time.perf_counter() - t1
    print(json.dumps({'load_s': load_s, 'points_s': points_s, 'alphas': alphas, 'loss': losses,
                      'examples': len(examples), 'max_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      'threads': torch.get_num_threads(), 'torch': torch.__version__}))


if __name__ == '__main__':
    if sys.argv[1] == 'make':
        make(sys.argv[2])
    elif sys.argv[1] == 'curve':
        curve(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), sys.argv[7])
    else:
        raise SystemExit(__doc__)
