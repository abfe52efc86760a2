"""Fine-tuning references for sensescape (issue 17), written to tests/fixtures/finetune/ (run with /usr/bin/python3).

Hugging Face Trainer's optimisation, done with PyTorch's own pieces: torch.optim.AdamW (betas 0.9/0.999, eps 1e-8,
decoupled weight decay on every parameter except biases and LayerNorm weights — Trainer's decay groups),
torch.optim.lr_scheduler.LambdaLR with get_linear_schedule_with_warmup's factor, and
torch.nn.utils.clip_grad_norm_; the forward pass is reference.py's BertForSequenceClassification (a line-by-line port
of transformers' modeling_bert), dropout off, examples in file order (`--dropout 0 --shuffle false`).

The data stream and the loss per update follow sensescape's documented plan (engine/bert/finetune/plan.ts): epochs of
micro-batches of B examples in file order (the last of an epoch may be smaller), update t takes micro-batches
(t-1)N … tN-1, its loss is the mean over those examples. A head missing from the origin (a pretrained checkpoint) is
initialised as sensescape does it — HF's normal(0, initializer_range) drawn from sensescape's seeded generator
(mulberry32 + Box-Muller, ported below) — so both runs start from the same point.

Cases (float64 and float32 references; the test compares with the float32 one and states the float64 gap):
  * pretrained-sst2: tests/fixtures/landscape/origin (no head) on landscape/data/sst2-train.tsv, 12 steps, batch 8,
    lr 1e-3, weight decay 0.01, warmup ratio 0.25, max grad norm 0.5 (clipping active);
  * finetuned-rte: tests/fixtures/bert/tiny-gelu-f32 (with head), pair task bert/data/rte.tsv, 12 steps, batch 4,
    accumulate 2, lr 5e-4, weight decay 0.1, no warmup, max grad norm 1.0.
Outputs: reference.json (flags, per-step loss/lr/grad_norm, ‖θ_ref − θ0‖) and <case>.safetensors (final F32 params).
"""
from __future__ import annotations

import collections
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as R  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
FIX = os.path.join(ROOT, 'tests', 'fixtures')
OUT = os.path.join(FIX, 'finetune')
M32 = 0xFFFFFFFF


def imul(a, b):
    return (a * b) & M32


def mix_seed(*xs):
    h = 0x9E3779B9
    for x in xs:
        h = imul(h ^ (x & M32), 0x85EBCA6B)
        h = imul(h ^ (h >> 13), 0xC2B2AE35)
        h ^= h >> 16
    return h & M32


def mulberry32(seed):
    state = [seed & M32]

    def nxt():
        state[0] = (state[0] + 0x6D2B79F5) & M32
        t = state[0]
        t = imul(t ^ (t >> 15), t | 1)
        t = (t ^ ((t + imul(t ^ (t >> 7), t | 61)) & M32)) & M32
        return ((t ^ (t >> 14)) & M32) / 4294967296
    return nxt


def gaussian(uniform):
    spare = [None]

    def nxt():
        if spare[0] is not None:
            s = spare[0]
            spare[0] = None
            return s
        u = 0.0
        while u <= 2.220446049250313e-16:
            u = uniform()
        v = uniform()
        r = math.sqrt(-2 * math.log(u))
        spare[0] = r * math.sin(2 * math.pi * v)
        return r * math.cos(2 * math.pi * v)
    return nxt


def init_linear(out, inp, std, seed):
    g = gaussian(mulberry32(seed))
    w = torch.tensor([std * g() for _ in range(out * inp)], dtype=torch.float64).float().reshape(out, inp)
    return w, torch.zeros(out)


def schedule_factor(s, total, warmup):
    if s < warmup:
        return s / max(1, warmup)
    return max(0.0, (total - s) / max(1, total - warmup))


def run_case(name, folder, data, steps, batch, accumulate, lr, wd, warmup_ratio, max_norm, seed, dtype):
    with open(os.path.join(folder, 'config.json')) as f:
        raw = json.load(f)
    tensors = R.read_checkpoint_tensors(folder)
    has_head = 'classifier.weight' in tensors
    examples = R.read_tsv_examples(data, raw.get('label2id') if has_head else None)
    num_labels = raw.get('num_labels', len(raw.get('id2label', {})) or 2) if has_head else max(2, max(y for _, _, y in examples) + 1)
    raw = dict(raw, num_labels=num_labels, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    raw.pop('id2label', None)
    raw.pop('label2id', None)
    cfg = R.BertConfig(**raw)
    model = R.BertForSequenceClassification(cfg)
    if not has_head:
        w, b = init_linear(num_labels, cfg.hidden_size, raw.get('initializer_range', 0.02), mix_seed(seed, 1))
        tensors['classifier.weight'] = w
        tensors['classifier.bias'] = b
    R.set_params(model, tensors)
    model = model.to(dtype).eval()
    tok = R.BertTokenizer(os.path.join(folder, 'vocab.txt'), do_lower_case=True)
    names = [(k, R.normalise_name(k)) for k, _ in model.named_parameters()]
    theta0 = {n: p.detach().clone().double() for (k, n), p in zip(names, model.parameters())}
    decay = [p for (k, n), p in zip(names, model.parameters()) if not n.endswith('.bias') and 'LayerNorm' not in n]
    no_decay = [p for (k, n), p in zip(names, model.parameters()) if n.endswith('.bias') or 'LayerNorm' in n]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': wd}, {'params': no_decay, 'weight_decay': 0.0}],
                            lr=lr, betas=(0.9, 0.999), eps=1e-8)
    warmup = math.ceil(warmup_ratio * steps)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: schedule_factor(s, steps, warmup))
    per_epoch = math.ceil(len(examples) / batch)

    def micro(k):
        j = k % per_epoch
        return examples[j * batch:min(len(examples), (j + 1) * batch)]

    log = []
    for t in range(1, steps + 1):
        chunks = [micro((t - 1) * accumulate + i) for i in range(accumulate)]
        n = sum(len(c) for c in chunks)
        opt.zero_grad()
        total = 0.0
        for c in chunks:
            ids, mask, tt, labels = R.encode_batches(tok, c, min(128, cfg.max_position_embeddings), len(c))[0]
            _, logits = model(ids, mask, tt)
            loss = torch.nn.functional.cross_entropy(logits, torch.tensor(labels), reduction='sum') / n
            loss.backward()
            total += loss.item()
        used_lr = opt.param_groups[0]['lr']
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm).item()
        opt.step()
        sched.step()
        log.append({'step': t, 'loss': total, 'lr': used_lr, 'grad_norm': norm})
    final = collections.OrderedDict((n, p.detach().clone()) for (k, n), p in zip(names, model.parameters()))
    moved = math.sqrt(sum(float(((final[n].double() - theta0[n]) ** 2).sum()) for n in final))
    return log, final, moved


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = {
        'pretrained-sst2': dict(folder=os.path.join(FIX, 'landscape', 'origin'),
                                data=os.path.join(FIX, 'landscape', 'data', 'sst2-train.tsv'), steps=12, batch=8,
                                accumulate=1, lr=1e-3, wd=0.01, warmup_ratio=0.25, max_norm=0.5, seed=42),
        'finetuned-rte': dict(folder=os.path.join(FIX, 'bert', 'tiny-gelu-f32'),
                               data=os.path.join(FIX, 'bert', 'data', 'rte.tsv'), steps=12, batch=4, accumulate=2,
                               lr=5e-4, wd=0.1, warmup_ratio=0.0, max_norm=1.0, seed=42),
    }
    out = {'torch': torch.__version__, 'cases': {}}
    for name, c in cases.items():
        log32, final32, moved32 = run_case(name, dtype=torch.float32, **c)
        log64, final64, moved64 = run_case(name, dtype=torch.float64, **c)
        gap = math.sqrt(sum(float(((final32[n].double() - final64[n]) ** 2).sum()) for n in final32)) / moved64
        R.write_safetensors(os.path.join(OUT, f'{name}.safetensors'),
                            collections.OrderedDict((n, v.float().contiguous()) for n, v in final32.items()))
        rel = lambda p: os.path.relpath(p, ROOT)
        out['cases'][name] = {
            'model': rel(c['folder']), 'train': rel(c['data']), 'steps': c['steps'], 'batch': c['batch'],
            'accumulate': c['accumulate'], 'lr': c['lr'], 'weightDecay': c['wd'], 'warmupRatio': c['warmup_ratio'],
            'maxGradNorm': c['max_norm'], 'seed': c['seed'], 'log': log32, 'moved': moved32,
            'float64Loss': [e['loss'] for e in log64], 'float32VsFloat64': gap,
        }
    with open(os.path.join(OUT, 'reference.json'), 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
