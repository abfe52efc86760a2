"""Writes sensescape's loss-landscape test fixtures into tests/fixtures/landscape/ (run with /usr/bin/python3).

Uses tools/bert/reference.py (read-only), the faithful PyTorch BertForSequenceClassification, to
  * train a tiny BERT (2 layers x 16 wide x 2 heads, erf GELU, the trimmed 600-token vocab of the BERT
    fixtures) "from pretraining" on a 3-way NLI-style task, and save its body (bert.* names, no classifier)
    as the ORIGIN (`origin/`);
  * fine-tune that origin on SST-2 rows (`ft-a/`, plus trajectory checkpoints `traj-1..3/` saved on the
    way) and on CoLA rows (`ft-b/`), F32 safetensors in HF layout (bert. prefix, classifier.*);
  * compute, in float64 from the F32 weights, the reference numbers the TS engine must reproduce:
      curve (dev and train split), surface points (θ1/θ2 directions and a seeded filter-normalised random
      direction, generated with the same mulberry32 + Box-Muller stream as src/engine/util/random.ts),
      trajectory coordinates (α_i, β_i, J(θ_i)) and PCA coordinates (sklearn PCA as Li et al.), and
      layer-wise curves (embeddings, layer.0, layer.1, pooler);
  * write them to reference.json.

Deterministic (fixed seeds); total size ~0.6 MB.
"""
from __future__ import annotations

import collections
import hashlib
import json
import math
import os
import shutil
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'tools', 'bert'))
import reference as R  # noqa: E402

OUT = os.path.join(ROOT, 'tests', 'fixtures', 'landscape')
GLUE = os.path.abspath(os.path.join(ROOT, '..', 'shared', 'data', 'glue'))
VOCAB = os.path.join(ROOT, 'tests', 'fixtures', 'bert', 'vocab-trimmed.txt')
MAX_LENGTH = 40
BATCH = 8


def read_lines(path):
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    return lines


def write_text(path, text):
    with open(path, 'w', encoding='utf-8', newline='') as f:
        f.write(text)


def sha256(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


# ------------------------------------------------------------------------------------------------
# Data
# ------------------------------------------------------------------------------------------------

def sst2(split, start, n):
    lines = read_lines(os.path.join(GLUE, 'SST-2', f'{split}.tsv'))[1:]
    return [tuple(l.split('\t')) for l in lines[start:start + n]]


def cola(split, n):
    lines = read_lines(os.path.join(GLUE, 'CoLA', f'{split}.tsv'))
    return [(l.split('\t')[3], l.split('\t')[1]) for l in lines[:n]]


def nli3(n):
    lines = read_lines(os.path.join(GLUE, 'STS-B', 'train.tsv'))[1:]
    out = []
    for l in lines[200:200 + n]:
        f = l.split('\t')
        s = float(f[9])
        out.append((f[7], f[8], 'entailment' if s >= 3.5 else ('contradiction' if s < 1.5 else 'neutral')))
    return out


def make_data():
    d = os.path.join(OUT, 'data')
    os.makedirs(d, exist_ok=True)
    # Evaluation sets: SST-2 dev rows (dev split) and SST-2 train rows (train split).
    write_text(os.path.join(d, 'sst2-dev.tsv'), 'sentence\tlabel\n' + ''.join(f'{s}\t{y}\n' for s, y in sst2('dev', 0, 20)))
    write_text(os.path.join(d, 'sst2-train.tsv'), 'sentence\tlabel\n' + ''.join(f'{s}\t{y}\n' for s, y in sst2('train', 0, 12)))


def examples(rows, label_of=int):
    return [(a, None, label_of(y)) for a, y in rows]


# ------------------------------------------------------------------------------------------------
# Training
# ------------------------------------------------------------------------------------------------

def train(model, tok, exs, steps, lr, seed, on_step=None):
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    for step in range(steps):
        idx = torch.randperm(len(exs), generator=g)[:16].tolist()
        (ids, mask, tt, ys), = R.encode_batches(tok, [exs[i] for i in idx], MAX_LENGTH, 16)
        loss, _ = model(ids, mask, tt, torch.tensor(ys, dtype=torch.long))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if on_step:
            on_step(step + 1, model)
    model.eval()


def hf_state(model, with_head=True):
    out = collections.OrderedDict()
    for k, v in model.state_dict().items():
        if k.endswith('position_ids') or (not with_head and k.startswith('classifier.')):
            continue
        out[k] = v.detach().clone().contiguous()
    return out


def save_folder(name, cfg, state):
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    write_text(os.path.join(folder, 'config.json'), json.dumps(cfg.to_json(), indent=2) + '\n')
    shutil.copyfile(VOCAB, os.path.join(folder, 'vocab.txt'))
    write_text(os.path.join(folder, 'tokenizer_config.json'), json.dumps({'do_lower_case': True, 'model_max_length': 512}) + '\n')
    R.write_safetensors(os.path.join(folder, 'model.safetensors'), state, {'format': 'pt'})
    return folder


# ------------------------------------------------------------------------------------------------
# The random stream of src/engine/util/random.ts (mulberry32 + Box-Muller), reproduced exactly
# ------------------------------------------------------------------------------------------------

def imul(a, b):
    return (a * b) & 0xFFFFFFFF


def mulberry32(seed):
    state = [seed & 0xFFFFFFFF]

    def nxt():
        state[0] = (state[0] + 0x6D2B79F5) & 0xFFFFFFFF
        t = state[0]
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    return nxt


def gaussian(uniform):
    spare = [None]
    eps = 2.220446049250313e-16

    def nxt():
        if spare[0] is not None:
            s = spare[0]
            spare[0] = None
            return s
        u = 0.0
        while u <= eps:
            u = uniform()
        v = uniform()
        r = math.sqrt(-2 * math.log(u))
        spare[0] = r * math.sin(2 * math.pi * v)
        return r * math.cos(2 * math.pi * v)

    return nxt


def random_direction(origin, seed, normalize, ignore):
    """Li et al.'s filter-normalised direction, defined exactly as src/engine/landscape/directions.ts."""
    nxt = gaussian(mulberry32(seed))
    out = {}
    for name in sorted(origin):
        w = origin[name]
        raw = np.array([nxt() for _ in range(w.numel())], dtype=np.float32).astype(np.float64)
        d = torch.from_numpy(raw).reshape(w.shape)
        if ignore == 'bias-ln' and w.dim() <= 1:
            d = torch.zeros_like(w)
        elif normalize == 'layer' or (normalize == 'filter' and w.dim() <= 1):
            d = d * (w.norm() / (d.norm() + 1e-10))
        elif normalize == 'filter':
            d2 = d.reshape(w.shape[0], -1)
            w2 = w.reshape(w.shape[0], -1)
            d2 = d2 * (w2.norm(dim=1, keepdim=True) / (d2.norm(dim=1, keepdim=True) + 1e-10))
            d = d2.reshape(w.shape)
        out[name] = d
    return out


# ------------------------------------------------------------------------------------------------
# Reference computations (float64)
# ------------------------------------------------------------------------------------------------

def load64(folder):
    return {k: v.to(torch.float64) for k, v in R.read_checkpoint_tensors(folder).items()}


class Evaluator:
    def __init__(self, head_folder, data_file):
        model, tok, cfg = R.load_checkpoint_dir(head_folder)
        self.model = model.double().eval()
        self.head = load64(head_folder)
        exs = R.read_tsv_examples(data_file, cfg.label2id)
        self.batches = R.encode_batches(tok, exs, MAX_LENGTH, BATCH)
        self.examples = len(exs)

    def at(self, moving):
        params = dict(self.head)
        params.update(moving)
        loss, acc, _ = R.evaluate_params(self.model, params, self.batches)
        return loss, acc


def combo(origin, dirs, coeffs):
    return {n: origin[n] + sum(c * d[n] for d, c in zip(dirs, coeffs)) for n in origin}


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    make_data()
    vocab = R.load_vocab(VOCAB)
    tok = R.BertTokenizer(VOCAB)
    cfg_kw = dict(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                  intermediate_size=32, hidden_act='gelu', max_position_embeddings=48)

    # "Pretraining": a 3-way task on STS-B pairs; the origin is the body without the classifier.
    torch.manual_seed(10)
    label3 = {'contradiction': 0, 'entailment': 1, 'neutral': 2}
    pre_cfg = R.BertConfig(num_labels=3, **cfg_kw)
    pre = R.BertForSequenceClassification(pre_cfg)
    train(pre, tok, [(a, b, label3[y]) for a, b, y in nli3(96)], 40, 3e-3, seed=11)
    cfg = R.BertConfig(num_labels=2, **cfg_kw)
    body = hf_state(pre, with_head=False)
    folders = {'origin': save_folder('origin', cfg, body)}

    # Fine-tuning A (SST-2) with trajectory checkpoints; B (CoLA). Same origin, fresh heads.
    sst = examples(sst2('train', 100, 96))
    cl = examples(cola('train', 96))

    def fine_tune(exs, steps, seed, save_at=()):
        torch.manual_seed(seed)
        m = R.BertForSequenceClassification(cfg)
        m.load_state_dict(collections.OrderedDict(list(body.items()) + [
            ('classifier.weight', m.classifier.weight.data.clone()), ('classifier.bias', m.classifier.bias.data.clone())]), strict=False)
        snaps = []

        def on_step(step, model):
            if step in save_at:
                model.eval()
                snaps.append((step, hf_state(model)))
                model.train()
        train(m, tok, exs, steps, 2e-3, seed=seed + 1, on_step=on_step)
        return m, snaps

    ft_a, snaps = fine_tune(sst, 40, 20, save_at=(8, 16, 28))
    folders['ft-a'] = save_folder('ft-a', cfg, hf_state(ft_a))
    for k, (step, state) in enumerate(snaps):
        folders[f'traj-{k + 1}'] = save_folder(f'traj-{k + 1}', cfg, state)
    ft_b, _ = fine_tune(cl, 40, 30)
    folders['ft-b'] = save_folder('ft-b', cfg, hf_state(ft_b))

    ref = {'maxLength': MAX_LENGTH, 'batchSize': BATCH, 'checkpoints': {}, 'data': {}}
    for name, folder in folders.items():
        ref['checkpoints'][name] = {'dir': name, 'sha256': sha256(os.path.join(folder, 'model.safetensors'))}
    dev = os.path.join(OUT, 'data', 'sst2-dev.tsv')
    trn = os.path.join(OUT, 'data', 'sst2-train.tsv')
    ref['data'] = {'dev': {'file': 'data/sst2-dev.tsv', 'sha256': sha256(dev)}, 'train': {'file': 'data/sst2-train.tsv', 'sha256': sha256(trn)}}

    t = {n: load64(f) for n, f in folders.items()}
    theta0 = t['origin']
    names = sorted(theta0)
    d1 = {n: t['ft-a'][n] - theta0[n] for n in names}
    d2 = {n: t['ft-b'][n] - theta0[n] for n in names}
    ev = Evaluator(folders['ft-a'], dev)
    ev_train = Evaluator(folders['ft-a'], trn)
    ref['data']['dev']['examples'] = ev.examples
    ref['data']['train']['examples'] = ev_train.examples

    # 1-D curves.
    alphas = [-0.5, 0.0, 0.25, 0.5, 1.0, 1.5]
    for key, e in (('curve', ev), ('curveTrain', ev_train)):
        res = [e.at(combo(theta0, [d1], [a])) for a in alphas]
        ref[key] = {'origin': 'origin', 'toward': 'ft-a', 'alphas': alphas, 'loss': [r[0] for r in res], 'accuracy': [r[1] for r in res]}

    # 2-D surface points, fine-tuned directions (head = x = ft-a).
    pts = [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (0.5, 0.5), (-0.5, 1.0), (1.5, -0.5)]
    ref['surface'] = {'x': 'ft-a', 'y': 'ft-b', 'head': 'ft-a', 'points': []}
    for x, y in pts:
        loss, acc = ev.at(combo(theta0, [d1, d2], [x, y]))
        ref['surface']['points'].append({'x': x, 'y': y, 'loss': loss, 'accuracy': acc})

    # 2-D surface points with a seeded filter-normalised random y direction (Li et al.).
    seed = 7
    rd = random_direction(theta0, seed, 'filter', 'bias-ln')
    probe = 'encoder.layer.0.attention.self.query.weight'
    nxt = gaussian(mulberry32(seed))
    ref['random'] = {
        'seed': seed, 'normalize': 'filter', 'ignore': 'bias-ln',
        'firstValues': [float(np.float32(nxt())) for _ in range(6)],
        'firstName': names[0],
        'probe': probe,
        'probeRowNorms': rd[probe].norm(dim=1).tolist(),
        'probeFirstRow': rd[probe][0].tolist(),
        'norm': math.sqrt(sum(float((rd[n] ** 2).sum()) for n in names)),
        'points': [],
    }
    for x, y in [(0.0, 0.5), (1.0, -0.5), (0.5, 1.0)]:
        loss, acc = ev.at(combo(theta0, [d1, rd], [x, y]))
        ref['random']['points'].append({'x': x, 'y': y, 'loss': loss, 'accuracy': acc})

    # Trajectory: α_i, β_i, J(θ_i) (own head), PCA (sklearn) of [θ0, θ_i…, θ1] − θ1.
    dd = sum(float((d1[n] ** 2).sum()) for n in names)
    traj = {'toward': 'ft-a', 'checkpoints': [], 'alpha': [], 'beta': [], 'loss': [], 'accuracy': []}
    for k in range(1, 4):
        name = f'traj-{k}'
        v = {n: t[name][n] - theta0[n] for n in names}
        vd = sum(float((v[n] * d1[n]).sum()) for n in names)
        vv = sum(float((v[n] ** 2).sum()) for n in names)
        a = vd / dd
        traj['checkpoints'].append(name)
        traj['alpha'].append(a)
        traj['beta'].append(math.sqrt(max(0.0, vv / dd - a * a)))
        loss, acc, _ = R.evaluate_params(ev.model, t[name], ev.batches)
        traj['loss'].append(loss)
        traj['accuracy'].append(acc)
    from sklearn.decomposition import PCA
    rows = [theta0] + [t[f'traj-{k}'] for k in range(1, 4)] + [t['ft-a']]
    mat = np.stack([np.concatenate([(r[n] - t['ft-a'][n]).reshape(-1).numpy() for n in names]) for r in rows])
    pca = PCA(n_components=2).fit(mat)
    coords = mat @ pca.components_.T
    traj['pcaOrigin'] = coords[0].tolist()
    traj['pca'] = coords[1:4].tolist()
    traj['explainedVarianceRatio'] = pca.explained_variance_ratio_.tolist()
    ref['trajectory'] = traj

    # Layer-wise curves: θ1 with group g set to θ1 + (α − 1)(θ1 − θ0).
    groups = collections.OrderedDict()
    for n in names:
        if n.startswith('encoder.layer.'):
            g = 'layer.' + n.split('.')[2]
        elif n.startswith('embeddings.'):
            g = 'embeddings'
        elif n.startswith('pooler.'):
            g = 'pooler'
        else:
            continue
        groups.setdefault(g, []).append(n)
    order = sorted(groups, key=lambda g: -1 if g == 'embeddings' else (1e9 if g == 'pooler' else int(g[6:])))
    lalphas = [0.0, 0.5, 1.0]
    ref['layers'] = {'alphas': lalphas, 'groups': []}
    theta1 = {n: t['ft-a'][n] for n in names}
    for g in order:
        losses, accs = [], []
        for a in lalphas:
            p = dict(theta1)
            for n in groups[g]:
                p[n] = theta1[n] + (a - 1) * d1[n]
            loss, acc = ev.at(p)
            losses.append(loss)
            accs.append(acc)
        ref['layers']['groups'].append({'name': g, 'loss': losses, 'accuracy': accs})

    write_text(os.path.join(OUT, 'reference.json'), json.dumps(ref, indent=1) + '\n')
    print(json.dumps({k: ref[k] for k in ('curve',)}, indent=1), file=sys.stderr)


if __name__ == '__main__':
    main()
