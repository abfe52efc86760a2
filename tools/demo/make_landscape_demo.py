#!/usr/bin/env python3
"""Makes the landscape demo: small BERT checkpoints with a real training history.

  /usr/bin/python3 tools/demo/make_landscape_demo.py OUT_DIR [--pretrain-steps N] [--pretrain-lr LR] [--pretrain-short L] [--finetune-steps N]

1. A trimmed WordPiece vocabulary: the special tokens, every character piece (so no word becomes
   [UNK] for want of a piece) and the most frequent pieces of Google's uncased BERT vocabulary over the
   pretraining text and the GLUE tasks, up to VOCAB_SIZE entries.
2. `pretrained/`: a 4-layer, 128-wide BERT pretrained by masked language modelling (15% of pieces;
   80% [MASK], 10% random, 10% kept) on Brown, Reuters and WordNet glosses from shared/data/corpora.
3. `random-init/`: the same architecture at its random initialisation (BERT's N(0, 0.02) init).
4. `sst2/` and `mrpc/`: the pretrained model fine-tuned on SST-2 and MRPC (GLUE), with checkpoints
   `sst2-step-*/` saved along the SST-2 run for the trajectory.
5. `sst2-scratch/`: the random initialisation trained on SST-2 with the same recipe.
   (With --pretrain-only, steps 4 and 5 are left to tools/demo/finetune_demo.ts, which makes them with
   `sensescape bert finetune` — what tools/demo/make_demo.sh does since issue 17.)
6. `data/`: the train/dev examples the demo evaluates on (fixed subsets, first rows).

Everything is seeded; weights are stored as F16 safetensors in Hugging Face's layout
(`bert.*`, `classifier.*`, `cls.predictions.*` for the MLM head) with config.json, vocab.txt and
tokenizer_config.json, so the CLI, the app and Hugging Face can all open them.
Uses the reference PyTorch BERT of tools/bert/reference.py (a line-by-line port of HF's code).
"""
from __future__ import annotations

import argparse
import collections
import gzip
import json
import math
import os
import random
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'bert'))
import reference as ref  # noqa: E402

SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'shared', 'data')
VOCAB_SIZE = 3072
ARCH = dict(hidden_size=128, num_hidden_layers=4, num_attention_heads=4, intermediate_size=512,
            max_position_embeddings=128, type_vocab_size=2, hidden_act='gelu', layer_norm_eps=1e-12,
            hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
SEED = 20191103
PRETRAIN_CORPORA = ['brown.txt.gz', 'reuters.txt.gz', 'wordnet-glosses.txt.gz']
SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']


def log(*a):
    print(time.strftime('%H:%M:%S'), *a, file=sys.stderr, flush=True)


def read_lines(name, limit=None):
    out = []
    with gzip.open(os.path.join(SHARED, 'corpora', name), 'rt', encoding='utf-8') as f:
        for line in f:
            out.append(line.strip())
            if limit and len(out) >= limit:
                break
    return out


def glue_rows(task, split):
    path = os.path.join(SHARED, 'glue', task, f'{split}.tsv')
    with open(path, encoding='utf-8-sig') as f:
        lines = f.read().split('\n')
    header = lines[0].split('\t')
    rows = []
    for line in lines[1:]:
        if not line.strip():
            continue
        cols = line.split('\t')
        if task == 'SST-2':
            rows.append((cols[0].strip(), None, int(cols[1])))
        else:  # MRPC: Quality, #1 ID, #2 ID, #1 String, #2 String
            if len(cols) < 5:
                continue
            rows.append((cols[3], cols[4], int(cols[0])))
    return header, rows


def build_vocab(texts, full_vocab_path, out_path):
    full = ref.BertTokenizer(full_vocab_path, do_lower_case=True)
    counts = collections.Counter()
    for t in texts:
        counts.update(full.tokenize(t))
    keep = list(SPECIALS)
    chars = [tok for tok in full.vocab if (len(tok) == 1 or (tok.startswith('##') and len(tok) == 3)) and counts[tok] > 0]
    # Single characters the text uses, and their continuation forms, keep every word tokenisable.
    for tok in full.vocab:
        if len(tok) == 1 and any(c for c in counts if c == tok or c.endswith(tok)):
            chars.append(tok)
            if '##' + tok in full.vocab:
                chars.append('##' + tok)
    seen = set(keep)
    for tok in chars:
        if tok not in seen:
            keep.append(tok)
            seen.add(tok)
    for tok, _ in counts.most_common():
        if len(keep) >= VOCAB_SIZE:
            break
        if tok not in seen:
            keep.append(tok)
            seen.add(tok)
    with open(out_path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(keep) + '\n')
    return keep


class MlmHead(nn.Module):
    """BertOnlyMLMHead: transform (dense, gelu, LayerNorm) then the decoder tied to word embeddings."""

    def __init__(self, cfg, word_embeddings):
        super().__init__()
        self.dense = nn.Linear(cfg.hidden_size, cfg.hidden_size)
        self.LayerNorm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.bias = nn.Parameter(torch.zeros(cfg.vocab_size))
        self.word_embeddings = word_embeddings

    def forward(self, h):
        h = self.LayerNorm(ref.gelu_erf(self.dense(h)))
        return h @ self.word_embeddings.weight.t() + self.bias


def encoder_states(model, ids, mask, tt):
    bert = model.bert
    dtype = bert.embeddings.word_embeddings.weight.dtype
    ext = (1.0 - mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min
    return bert.encoder(bert.embeddings(ids, tt), ext)


def make_model(cfg_kwargs, seed):
    torch.manual_seed(seed)
    cfg = ref.BertConfig(**cfg_kwargs)
    return ref.BertForSequenceClassification(cfg), cfg


def save_checkpoint(out_dir, name, model, cfg, vocab_path, with_classifier=True, mlm_head=None, note=''):
    folder = os.path.join(out_dir, name)
    os.makedirs(folder, exist_ok=True)
    tensors = collections.OrderedDict()
    for k, v in model.state_dict().items():
        if k.endswith('position_ids'):
            continue
        if not with_classifier and k.startswith('classifier.'):
            continue
        tensors[k] = v.detach().to(torch.float16)
    if mlm_head is not None:
        tensors['cls.predictions.transform.dense.weight'] = mlm_head.dense.weight.detach().half()
        tensors['cls.predictions.transform.dense.bias'] = mlm_head.dense.bias.detach().half()
        tensors['cls.predictions.transform.LayerNorm.weight'] = mlm_head.LayerNorm.weight.detach().half()
        tensors['cls.predictions.transform.LayerNorm.bias'] = mlm_head.LayerNorm.bias.detach().half()
        tensors['cls.predictions.bias'] = mlm_head.bias.detach().half()
    ref.write_safetensors(os.path.join(folder, 'model.safetensors'), tensors, {'format': 'pt', 'sensescape_note': note})
    config = cfg.to_json()
    if not with_classifier:
        config['architectures'] = ['BertForMaskedLM'] if mlm_head is not None else ['BertModel']
    with open(os.path.join(folder, 'config.json'), 'w') as f:
        json.dump(config, f, indent=2, sort_keys=True)
    with open(vocab_path, encoding='utf-8') as src, open(os.path.join(folder, 'vocab.txt'), 'w', encoding='utf-8') as dst:
        dst.write(src.read())
    with open(os.path.join(folder, 'tokenizer_config.json'), 'w') as f:
        json.dump({'do_lower_case': True, 'model_max_length': ARCH['max_position_embeddings'], 'tokenizer_class': 'BertTokenizer'}, f, indent=2)


def pretrain(model, cfg, tok, lines, steps, seq_len, batch, lr, seed, history, short_len=0):
    rng = random.Random(seed)
    ids_stream = []
    for line in lines:
        ids_stream.extend(tok.convert_tokens_to_ids(tok.tokenize(line)))
        ids_stream.append(-1)  # document boundary
    body = seq_len - 2
    seqs = []
    cur = []
    for t in ids_stream:
        if t == -1:
            continue
        cur.append(t)
        if len(cur) == body:
            seqs.append(cur)
            cur = []
    log(f'pretraining on {len(seqs)} sequences of {seq_len} pieces ({len(seqs) * body} pieces)')
    cls, sep, mask_id = tok.vocab['[CLS]'], tok.vocab['[SEP]'], tok.vocab['[MASK]']
    special = {tok.vocab[s] for s in SPECIALS}
    head = MlmHead(cfg, model.bert.embeddings.word_embeddings)
    params = list(model.bert.parameters()) + [p for n, p in head.named_parameters() if not n.startswith('word_embeddings')]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    warm = max(1, steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (steps - s) / max(1, steps - warm)) if s >= warm else (s + 1) / warm)
    model.train()
    head.train()
    t0 = time.time()
    for step in range(steps):
        chosen = [seqs[rng.randrange(len(seqs))] for _ in range(batch)]
        if short_len and step % 10 != 9:
            # As BERT did with 128/512: most steps on short windows, every tenth on full-length ones.
            starts = [rng.randrange(body - (short_len - 2) + 1) for _ in chosen]
            chosen = [s[a:a + short_len - 2] for s, a in zip(chosen, starts)]
        ids = torch.tensor([[cls] + s + [sep] for s in chosen], dtype=torch.long)
        gen = torch.Generator().manual_seed(seed * 100003 + step)
        candidates = torch.ones_like(ids, dtype=torch.bool)
        for sid in special:
            candidates &= ids != sid
        picked = (torch.rand(ids.shape, generator=gen) < 0.15) & candidates
        labels = torch.where(picked, ids, torch.full_like(ids, -100))
        r = torch.rand(ids.shape, generator=gen)
        random_ids = torch.randint(len(special), cfg.vocab_size, ids.shape, generator=gen)
        ids = torch.where(picked & (r < 0.8), torch.full_like(ids, mask_id), ids)
        ids = torch.where(picked & (r >= 0.8) & (r < 0.9), random_ids, ids)
        mask = torch.ones_like(ids)
        tt = torch.zeros_like(ids)
        states = encoder_states(model, ids, mask, tt)
        at = labels != -100  # the decoder only runs where a prediction is scored
        loss = nn.functional.cross_entropy(head(states[at]), labels[at])
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        if step % 50 == 0 or step == steps - 1:
            history.append({'phase': 'pretrain', 'step': step, 'mlm_loss': round(loss.item(), 4), 'seconds': round(time.time() - t0, 1)})
            log(f'pretrain step {step}/{steps} mlm loss {loss.item():.3f} ({time.time() - t0:.0f} s)')
    model.eval()
    return head


def finetune(model, tok, rows, steps, batch, lr, max_len, seed, history, phase, save_at=(), save=None):
    rng = random.Random(seed)
    torch.manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    warm = max(1, steps // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (steps - s) / max(1, steps - warm)))
    order = list(range(len(rows)))
    rng.shuffle(order)
    pos = 0
    model.train()
    t0 = time.time()
    for step in range(steps):
        if pos + batch > len(order):
            rng.shuffle(order)
            pos = 0
        chunk = [rows[i] for i in order[pos:pos + batch]]
        pos += batch
        (ids, mask, tt, labels), = ref.encode_batches(tok, chunk, max_length=max_len, batch_size=batch)
        loss, _ = model(ids, mask, tt, torch.tensor(labels, dtype=torch.long))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % 25 == 0 or step == steps - 1:
            history.append({'phase': phase, 'step': step, 'loss': round(loss.item(), 4), 'seconds': round(time.time() - t0, 1)})
            log(f'{phase} step {step}/{steps} loss {loss.item():.3f}')
        if save is not None and (step + 1) in save_at:
            model.eval()
            save(step + 1)
            model.train()
    model.eval()


def accuracy(model, tok, rows, max_len):
    batches = ref.encode_batches(tok, rows, max_length=max_len, batch_size=64)
    loss, acc, _ = ref.evaluate_params(model, None, batches)
    return loss, acc


def write_tsv(path, task, rows):
    with open(path, 'w', encoding='utf-8') as f:
        if task == 'SST-2':
            f.write('sentence\tlabel\n')
            for a, _, y in rows:
                f.write(f'{a}\t{y}\n')
        else:
            f.write('sentence1\tsentence2\tlabel\n')
            for a, b, y in rows:
                f.write(f'{a}\t{b}\t{y}\n')


def main():
    p = argparse.ArgumentParser()
    p.add_argument('out')
    p.add_argument('--pretrain-steps', type=int, default=1500)
    p.add_argument('--pretrain-lr', type=float, default=7e-4)
    p.add_argument('--pretrain-short', type=int, default=32, help='length of the short windows used on 9 steps in 10 (0: always 64)')
    p.add_argument('--finetune-steps', type=int, default=300)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--pretrain-batch', type=int, default=64)
    p.add_argument('--pretrain-lines', type=int, default=60000)
    p.add_argument('--pretrain-only', action='store_true',
                   help='stop after pretrained/ and random-init/ (and data/): tools/demo/finetune_demo.ts fine-tunes with sensescape bert finetune')
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    out = args.out
    os.makedirs(out, exist_ok=True)
    history = []

    lines = []
    for name in PRETRAIN_CORPORA:
        lines.extend(read_lines(name, args.pretrain_lines // len(PRETRAIN_CORPORA)))
    random.Random(SEED).shuffle(lines)
    _, sst_train = glue_rows('SST-2', 'train')
    _, sst_dev = glue_rows('SST-2', 'dev')
    _, mrpc_train = glue_rows('MRPC', 'train')
    _, mrpc_dev = glue_rows('MRPC', 'dev')
    vocab_path = os.path.join(out, 'vocab.txt')
    texts = lines[:20000] + [a for a, _, _ in sst_train[:20000]] + [x for a, b, _ in mrpc_train for x in (a, b)]
    vocab = build_vocab(texts, os.path.join(SHARED, 'bert', 'vocab.txt'), vocab_path)
    log(f'vocabulary: {len(vocab)} pieces')
    tok = ref.BertTokenizer(vocab_path, do_lower_case=True)
    arch = dict(ARCH, vocab_size=len(vocab))

    # Random initialisation (kept as the origin of the training-from-scratch comparison).
    random_model, cfg = make_model(dict(arch, num_labels=2), SEED)
    save_checkpoint(out, 'random-init', random_model, cfg, vocab_path, with_classifier=False, note='random initialisation, N(0, 0.02)')

    # Masked-language-model pretraining from the same initialisation.
    model, cfg = make_model(dict(arch, num_labels=2), SEED)
    head = pretrain(model, cfg, tok, lines, args.pretrain_steps, 64, args.pretrain_batch, args.pretrain_lr, SEED, history, args.pretrain_short)
    save_checkpoint(out, 'pretrained', model, cfg, vocab_path, with_classifier=False, mlm_head=head, note=f'MLM pretraining, {args.pretrain_steps} steps of {args.pretrain_batch} sequences (64 pieces; {args.pretrain_short} on 9 steps in 10)')
    pretrained_state = {k: v.clone() for k, v in model.state_dict().items()}

    sst_fit = sst_train[:20000]
    results = {}
    traj_steps = sorted({round(args.finetune_steps * f) for f in (0.1, 0.25, 0.45, 0.7)})

    def run(name, init_state, task_rows, label_names, max_len, seed, save_traj=False):
        m, c = make_model(dict(arch, num_labels=2, id2label={0: label_names[0], 1: label_names[1]}), seed)
        if init_state is not None:
            m.load_state_dict({k: v for k, v in init_state.items() if not k.startswith('classifier.')}, strict=False)
        save = None
        if save_traj:
            def save(step):
                save_checkpoint(out, f'{name}-step-{step:04d}', m, c, vocab_path, note=f'{name} fine-tuning checkpoint at step {step}')
        finetune(m, tok, task_rows, args.finetune_steps, 32, 2e-4 if init_state is not None else 5e-4, max_len, seed, history, name, traj_steps, save)
        save_checkpoint(out, name, m, c, vocab_path, note=f'{name}: {args.finetune_steps} steps of 32')
        return m

    if not args.pretrain_only:
        m = run('sst2', pretrained_state, sst_fit, ('negative', 'positive'), 64, SEED + 1, save_traj=True)
        results['sst2'] = {'train': accuracy(m, tok, sst_fit[:512], 64), 'dev': accuracy(m, tok, sst_dev, 64)}
        m = run('mrpc', pretrained_state, mrpc_train, ('not_equivalent', 'equivalent'), 96, SEED + 2)
        results['mrpc'] = {'train': accuracy(m, tok, mrpc_train[:512], 96), 'dev': accuracy(m, tok, mrpc_dev, 96)}
        random_state = {k: v.clone() for k, v in random_model.state_dict().items()}
        m = run('sst2-scratch', random_state, sst_fit, ('negative', 'positive'), 64, SEED + 1)
        results['sst2-scratch'] = {'train': accuracy(m, tok, sst_fit[:512], 64), 'dev': accuracy(m, tok, sst_dev, 64)}
    for k, v in results.items():
        log(k, {s: {'loss': round(l, 4), 'accuracy': round(a, 4)} for s, (l, a) in v.items()})

    data = os.path.join(out, 'data')
    os.makedirs(data, exist_ok=True)
    write_tsv(os.path.join(data, 'sst2-train.tsv'), 'SST-2', sst_fit[:256])
    write_tsv(os.path.join(data, 'sst2-dev.tsv'), 'SST-2', sst_dev[:256])
    write_tsv(os.path.join(data, 'mrpc-train.tsv'), 'MRPC', mrpc_train[:256])
    write_tsv(os.path.join(data, 'mrpc-dev.tsv'), 'MRPC', mrpc_dev[:256])
    manifest = {
        'generator': 'tools/demo/make_landscape_demo.py',
        'seed': SEED,
        'architecture': arch,
        'pretrain': {'corpora': PRETRAIN_CORPORA, 'lines': len(lines), 'steps': args.pretrain_steps, 'batch': args.pretrain_batch, 'seq_len': 64, 'short_len': args.pretrain_short, 'lr': args.pretrain_lr},
        'finetune': {'steps': args.finetune_steps, 'batch': 32, 'lr_pretrained': 2e-4, 'lr_scratch': 5e-4, 'trajectory_steps': traj_steps},
        'checkpoints': {
            'pretrained': 'origin (MLM-pretrained)', 'random-init': 'random initialisation',
            'sst2': 'fine-tuned on SST-2 (task A)', 'mrpc': 'fine-tuned on MRPC (task B)',
            'sst2-scratch': 'trained on SST-2 from the random initialisation',
            **{f'sst2-step-{s:04d}': f'SST-2 fine-tuning checkpoint, step {s}' for s in traj_steps},
        },
        'results': {k: {s: {'loss': l, 'accuracy': a} for s, (l, a) in v.items()} for k, v in results.items()},
        'history': history,
    }
    with open(os.path.join(out, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)
    log('done')


if __name__ == '__main__':
    main()
