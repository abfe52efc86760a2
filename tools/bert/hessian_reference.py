"""Curvature references for sensescape (issue 16), written to tests/fixtures/curvature/ (run with /usr/bin/python3):

  * two TINY BERT classifiers whose full Hessian fits in memory (~1.7k parameters: vocab 40, 8 wide, 2 heads),
    trained for some Adam steps on the fixture rows so the point is not an initialisation:
      - tiny-hess-gelu/  2 layers, erf GELU, 2 labels, cross-entropy, on bert/data/sst2.tsv
      - tiny-hess-mse/   1 layer, gelu_new, num_labels 1 (regression, MSE), on bert/data/stsb.tsv
    and for each, in float64 (reference.py's BertForSequenceClassification via functional_call): the mean loss,
    the exact gradient, the exact Hessian (torch.autograd.functional.hessian), all its eigenvalues, its trace,
    and per group (embeddings, layer.l, pooler, classifier) the diagonal block's largest-magnitude eigenvalue and
    trace;
  * on the existing fixture checkpoints (bert/tiny-gelu-f32, bert/legacy-gelunew-bin, bert/regression-relu-sharded):
    the mean loss, the exact gradient and the exact Hessian-vector product (double backward, float64) for the
    fixed vector v[t][j] = sin(0.37·(j+1) + 1.3·t) (t: the tensor's position in `names`, j: flat index).

Outputs: reference.json (scalars, names, groups) and <name>.safetensors (F32 gradient `grad.<tensor>` and, where
computed, `hv.<tensor>`). Deterministic (fixed seeds).
"""
from __future__ import annotations

import collections
import json
import math
import os
import shutil
import sys

import torch
from torch.nn.utils import stateless

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as R  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
BERT = os.path.join(ROOT, 'tests', 'fixtures', 'bert')
OUT = os.path.join(ROOT, 'tests', 'fixtures', 'curvature')


def write_text(path, text):
    with open(path, 'w', encoding='utf-8', newline='') as f:
        f.write(text)


def param_names(model):
    """(module parameter name, normalised name) in the order expectedShapes lists them (TS side)."""
    named = dict(model.named_parameters())
    cfg = model.config
    order = ['embeddings.word_embeddings.weight', 'embeddings.position_embeddings.weight',
             'embeddings.token_type_embeddings.weight', 'embeddings.LayerNorm.weight', 'embeddings.LayerNorm.bias']
    for l in range(cfg.num_hidden_layers):
        p = f'encoder.layer.{l}'
        for sub in ('attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense',
                    'attention.output.LayerNorm', 'intermediate.dense', 'output.dense', 'output.LayerNorm'):
            order += [f'{p}.{sub}.weight', f'{p}.{sub}.bias']
    order += ['pooler.dense.weight', 'pooler.dense.bias', 'classifier.weight', 'classifier.bias']
    full = {R.normalise_name(k): k for k in named}
    assert set(full) == set(order), set(full) ^ set(order)
    return [(full[n], n) for n in order]


def group_of(name):
    if name.startswith('embeddings.'):
        return 'embeddings'
    if name.startswith('encoder.layer.'):
        return 'layer.' + name.split('.')[2]
    return 'pooler' if name.startswith('pooler.') else 'classifier'


def mean_loss_fn(model, batches, regression):
    n = sum(len(b[3]) for b in batches)

    def f(params):
        total = 0.0
        for ids, mask, tt, labels in batches:
            _, logits = stateless.functional_call(model, params, (ids, mask, tt))
            if regression:
                y = torch.tensor(labels, dtype=torch.float64).reshape(-1, 1)
                per = ((logits - y) ** 2).mean(dim=1)
            else:
                per = torch.nn.functional.cross_entropy(logits, torch.tensor(labels), reduction='none')
            total = total + per.sum()
        return total / n
    return f


def fixed_vector(shapes):
    out = []
    for t, shape in enumerate(shapes):
        numel = math.prod(shape)
        j = torch.arange(numel, dtype=torch.float64)
        out.append(torch.sin(0.37 * (j + 1) + 1.3 * t).reshape(shape))
    return out


def prepare(folder, data_file, max_length, batch_size):
    model, tok, cfg = R.load_checkpoint_dir(folder)
    model = model.double().eval()
    regression = cfg.num_labels == 1
    examples = R.read_tsv_examples(os.path.join(BERT, 'data', data_file), cfg.label2id, regression)
    batches = R.encode_batches(tok, examples, max_length, batch_size)
    names = param_names(model)
    params = {k: p.detach().clone().double() for k, p in model.named_parameters()}
    return model, batches, regression, names, params, len(examples)


def reference(folder, data_file, max_length, batch_size, full_hessian):
    model, batches, regression, names, params, n = prepare(folder, data_file, max_length, batch_size)
    f = mean_loss_fn(model, batches, regression)
    keys = [k for k, _ in names]
    xs = [params[k].requires_grad_(True) for k in keys]
    loss = f(dict(zip(keys, xs)))
    grads = torch.autograd.grad(loss, xs, create_graph=True)
    out = {
        'data': data_file, 'maxLength': max_length, 'batchSize': batch_size, 'examples': n,
        'names': [m for _, m in names], 'loss': loss.item(),
        'gradientNorm': math.sqrt(sum(float((g ** 2).sum()) for g in grads)),
        'tensorNorms': [float(g.norm()) for g in grads],
    }
    tensors = collections.OrderedDict((f'grad.{m}', g.detach().float()) for g, (_, m) in zip(grads, names))
    v = fixed_vector([x.shape for x in xs])
    hv = torch.autograd.grad(sum((g * vi).sum() for g, vi in zip(grads, v)), xs)
    for h, (_, m) in zip(hv, names):
        tensors[f'hv.{m}'] = h.detach().float()
    out['hvNorm'] = math.sqrt(sum(float((h ** 2).sum()) for h in hv))
    if full_hessian:
        shapes = [x.shape for x in xs]
        sizes = [x.numel() for x in xs]
        flat0 = torch.cat([x.detach().reshape(-1) for x in xs])

        def flat_loss(flat):
            parts = torch.split(flat, sizes)
            return f({k: p.reshape(s) for k, p, s in zip(keys, parts, shapes)})
        H = torch.autograd.functional.hessian(flat_loss, flat0)
        H = 0.5 * (H + H.T)
        ev = torch.linalg.eigvalsh(H)
        by_mag = sorted(ev.tolist(), key=lambda x: -abs(x))
        out['parameters'] = int(flat0.numel())
        out['eigenvaluesByMagnitude'] = by_mag[:8]
        out['eigenvalues'] = sorted(ev.tolist())
        out['trace'] = float(torch.trace(H))
        groups = collections.OrderedDict()
        offset = 0
        for (_, m), size in zip(names, sizes):
            groups.setdefault(group_of(m), []).append((offset, size))
            offset += size
        out['groups'] = []
        for g, spans in groups.items():
            idx = torch.cat([torch.arange(o, o + s) for o, s in spans])
            block = H[idx][:, idx]
            bev = torch.linalg.eigvalsh(block).tolist()
            out['groups'].append({'name': g, 'parameters': int(idx.numel()),
                                  'eigenvalue': max(bev, key=abs), 'trace': float(torch.trace(block))})
    return out, tensors


def tiny_vocab(size=40):
    """[PAD] [UNK] [CLS] [SEP] [MASK] and the most frequent tokens of the two data files (trimmed vocab)."""
    tok = R.BertTokenizer(os.path.join(BERT, 'vocab-trimmed.txt'))
    counts = collections.Counter()
    for name in ('sst2.tsv', 'stsb.tsv'):
        for a, b, _ in R.read_tsv_examples(os.path.join(BERT, 'data', name), regression=name == 'stsb.tsv'):
            counts.update(tok.tokenize(a) + (tok.tokenize(b) if b else []))
    words = [t for t, _ in counts.most_common() if not t.startswith('##')][: size - 5]
    return ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] + words


def make_tiny(name, vocab, layers, act, num_labels, data_file, max_length, seed, steps):
    torch.manual_seed(seed)
    cfg = R.BertConfig(vocab_size=len(vocab), hidden_size=8, num_hidden_layers=layers, num_attention_heads=2,
                       intermediate_size=16, hidden_act=act, max_position_embeddings=max_length,
                       num_labels=num_labels, initializer_range=0.2)
    model = R.BertForSequenceClassification(cfg)
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    write_text(os.path.join(d, 'config.json'), json.dumps(cfg.to_json(), indent=2) + '\n')
    write_text(os.path.join(d, 'vocab.txt'), ''.join(t + '\n' for t in vocab))
    write_text(os.path.join(d, 'tokenizer_config.json'), json.dumps({'do_lower_case': True}) + '\n')
    tok = R.BertTokenizer(os.path.join(d, 'vocab.txt'))
    regression = num_labels == 1
    examples = R.read_tsv_examples(os.path.join(BERT, 'data', data_file), None, regression)
    (ids, mask, tt, ys), = R.encode_batches(tok, examples, max_length, len(examples))
    y = torch.tensor(ys, dtype=torch.float32 if regression else torch.long)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    model.eval()  # no dropout: the trained point is a deterministic one
    for _ in range(steps):
        loss, _ = model(ids, mask, tt, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    state = collections.OrderedDict((k, v) for k, v in model.state_dict().items() if not k.endswith('position_ids'))
    R.write_safetensors(os.path.join(d, 'model.safetensors'), state, {'format': 'pt'})
    return d


def main():
    torch.manual_seed(0)
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    vocab = tiny_vocab()
    refs = collections.OrderedDict()
    jobs = [
        ('tiny-hess-gelu', make_tiny('tiny-hess-gelu', vocab, 2, 'gelu', 2, 'sst2.tsv', 16, 3, 40), 'sst2.tsv', 16, 8, True),
        ('tiny-hess-mse', make_tiny('tiny-hess-mse', vocab, 1, 'gelu_new', 1, 'stsb.tsv', 24, 4, 40), 'stsb.tsv', 24, 8, True),
        ('tiny-gelu-f32', os.path.join(BERT, 'tiny-gelu-f32'), 'sst2.tsv', 48, 8, False),
        ('legacy-gelunew-bin', os.path.join(BERT, 'legacy-gelunew-bin'), 'nli3.tsv', 40, 8, False),
        ('regression-relu-sharded', os.path.join(BERT, 'regression-relu-sharded'), 'stsb.tsv', 64, 8, False),
    ]
    for name, folder, data, max_length, batch, full in jobs:
        ref, tensors = reference(folder, data, max_length, batch, full)
        ref['folder'] = os.path.relpath(folder, os.path.join(ROOT, 'tests', 'fixtures'))
        refs[name] = ref
        R.write_safetensors(os.path.join(OUT, f'{name}.safetensors'), tensors, {'format': 'pt'})
        print(name, 'loss', ref['loss'], 'grad norm', ref['gradientNorm'],
              'params', ref.get('parameters'), 'top', ref.get('eigenvaluesByMagnitude', [])[:3], file=sys.stderr)
    write_text(os.path.join(OUT, 'reference.json'),
               json.dumps({'generator': 'tools/bert/hessian_reference.py', 'vector': 'sin(0.37*(j+1) + 1.3*t)',
                           'checkpoints': refs}, indent=1) + '\n')


if __name__ == '__main__':
    main()
