"""Writes sensescape's BERT test fixtures into tests/fixtures/bert/ (run with /usr/bin/python3):

  * tiny checkpoints of several shapes, *really trained* for some Adam steps on GLUE rows, saved as
      - tiny-gelu-f32/           2 layers x 32 wide x 2 heads, erf GELU, 2 labels, F32 model.safetensors
      - tiny-gelu-bf16/          the same weights rounded to BF16
      - legacy-gelunew-bin/      3 layers x 32 x 4 heads, gelu_new, eps 1e-5, 3 labels (id2label), legacy names
                                 (bert. prefix, LayerNorm.gamma/beta, position_ids buffer, a tied cls.* head),
                                 as PyTorch's zip pytorch_model.bin (torch.save)
      - regression-relu-sharded/ 2 layers x 32 x 2 heads, relu, num_labels 1 (STS-B regression), names without
                                 the bert. prefix, sharded into two safetensors files + model.safetensors.index.json
    each with a trimmed WordPiece vocab.txt (a few hundred tokens of bert-base-uncased) and tokenizer_config.json;
  * data/*.tsv: the few GLUE rows each checkpoint is evaluated on (and small GLUE-layout cuts for reader tests);
  * reference.json: per checkpoint the encoded inputs, per-example logits, mean loss and accuracy from
    reference.py's BertForSequenceClassification, and the SHA-256 of each weights file;
  * tokenizer.json: BertTokenizer ids for hard sentences (full and trimmed vocab, cased and uncased).

Deterministic (fixed seeds); total size well under 3 MB.
"""
from __future__ import annotations

import collections
import hashlib
import json
import os
import shutil
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as R  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
OUT = os.path.join(ROOT, 'tests', 'fixtures', 'bert')
SHARED = os.path.abspath(os.path.join(ROOT, '..', 'shared', 'data'))
FULL_VOCAB = os.path.join(SHARED, 'bert', 'vocab.txt')
GLUE = os.path.join(SHARED, 'glue')


def read_lines(path):
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    return lines


def write_text(path, text):
    with open(path, 'w', encoding='utf-8', newline='') as f:
        f.write(text)


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------

def sst2_rows(split, n):
    lines = read_lines(os.path.join(GLUE, 'SST-2', f'{split}.tsv'))
    return [tuple(l.split('\t')) for l in lines[1:1 + n]]


def stsb_lines(split, n):
    lines = read_lines(os.path.join(GLUE, 'STS-B', f'{split}.tsv'))
    return lines[0], lines[1:1 + n]


def nli3_label(score):
    s = float(score)
    return 'entailment' if s >= 3.5 else ('contradiction' if s < 1.5 else 'neutral')


def make_data():
    d = os.path.join(OUT, 'data')
    os.makedirs(d, exist_ok=True)
    # SST-2: header `sentence<TAB>label`, as distributed.
    rows = sst2_rows('dev', 24)
    write_text(os.path.join(d, 'sst2.tsv'), 'sentence\tlabel\n' + ''.join(f'{s}\t{y}\n' for s, y in rows))
    # STS-B in its GLUE layout (10 columns, score last).
    header, lines = stsb_lines('dev', 24)
    write_text(os.path.join(d, 'stsb.tsv'), header + '\n' + '\n'.join(lines) + '\n')
    # A 3-way NLI-style generic TSV (sentence1, sentence2, label strings) built from STS-B pairs.
    out = ['sentence1\tsentence2\tlabel']
    for l in stsb_lines('dev', 200)[1][100:124]:
        f = l.split('\t')
        out.append(f'{f[7]}\t{f[8]}\t{nli3_label(f[9])}')
    write_text(os.path.join(d, 'nli3.tsv'), '\n'.join(out) + '\n')
    # Small cuts of other GLUE layouts for the reader tests (kept byte-faithful: BOM, no header…).
    with open(os.path.join(GLUE, 'MRPC', 'dev.tsv'), 'rb') as f:
        mrpc = f.read().split(b'\n')
    with open(os.path.join(d, 'mrpc.tsv'), 'wb') as f:
        f.write(b'\n'.join(mrpc[:7]) + b'\n')
    with open(os.path.join(GLUE, 'CoLA', 'dev.tsv'), 'rb') as f:
        cola = f.read().split(b'\n')
    with open(os.path.join(d, 'cola.tsv'), 'wb') as f:
        f.write(b'\n'.join(cola[:6]))  # no header, no final newline, as distributed
    with open(os.path.join(GLUE, 'RTE', 'dev.tsv'), 'rb') as f:
        rte = f.read().split(b'\n')
    with open(os.path.join(d, 'rte.tsv'), 'wb') as f:
        f.write(b'\n'.join(rte[:7]) + b'\n')


def training_examples(kind):
    if kind == 'sst2':
        return [(s, None, int(y)) for s, y in sst2_rows('train', 96)]
    header, lines = stsb_lines('train', 96)
    out = []
    for l in lines:
        f = l.split('\t')
        out.append((f[7], f[8], float(f[9]) if kind == 'stsb' else f[9]))
    if kind == 'nli3':
        out = [(a, b, nli3_label(s)) for a, b, s in out]
    return out


# ---------------------------------------------------------------------------------------------
# Vocab trimming
# ---------------------------------------------------------------------------------------------

def make_trimmed_vocab(size=600):
    full = R.load_vocab(FULL_VOCAB)
    tok = R.BertTokenizer(FULL_VOCAB)
    counts = collections.Counter()
    texts = []
    for kind in ('sst2', 'stsb'):
        for a, b, _ in training_examples(kind):
            texts += [a] + ([b] if b else [])
    for name in ('sst2.tsv', 'stsb.tsv', 'nli3.tsv'):
        for line in read_lines(os.path.join(OUT, 'data', name))[1:]:
            texts += line.split('\t')
    for t in texts:
        counts.update(tok.tokenize(t))
    keep = set(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'])
    for t in full:  # single characters: ASCII printable and a few CJK/accented, with ## forms
        core = t[2:] if t.startswith('##') else t
        if len(core) == 1 and (32 < ord(core) < 127 or core in '中国人日本é'):
            keep.add(t)
    for t, _ in counts.most_common():
        if len(keep) >= size:
            break
        keep.add(t)
    return [t for t in full if t in keep]


# ---------------------------------------------------------------------------------------------
# Training and saving
# ---------------------------------------------------------------------------------------------

def train(model, tok, examples, steps, lr, max_length, regression, label2id=None, seed=0):
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    labels = []
    for _, _, y in examples:
        if regression:
            labels.append(float(y))
        elif isinstance(y, str):
            labels.append(label2id[y])
        else:
            labels.append(int(y))
    exs = [(a, b, y) for (a, b, _), y in zip(examples, labels)]
    losses = []
    for step in range(steps):
        idx = torch.randperm(len(exs), generator=g)[:16].tolist()
        (ids, mask, tt, ys), = R.encode_batches(tok, [exs[i] for i in idx], max_length, 16)
        y = torch.tensor(ys, dtype=torch.float32 if regression else torch.long)
        loss, _ = model(ids, mask, tt, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    model.eval()
    return losses


def sha256(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        h.update(f.read())
    return h.hexdigest()


def hf_state(model):
    """The state dict as HF saves it (bert. prefix, LayerNorm.weight/bias), minus position_ids."""
    return collections.OrderedDict((k, v) for k, v in model.state_dict().items() if not k.endswith('position_ids'))


def save_folder(folder, cfg, vocab, lower=True):
    os.makedirs(folder, exist_ok=True)
    write_text(os.path.join(folder, 'config.json'), json.dumps(cfg.to_json(), indent=2) + '\n')
    write_text(os.path.join(folder, 'vocab.txt'), ''.join(t + '\n' for t in vocab))
    write_text(os.path.join(folder, 'tokenizer_config.json'), json.dumps({'do_lower_case': lower, 'model_max_length': 512}) + '\n')


def reference_for(folder, data_file, max_length, batch_size):
    model, tok, cfg = R.load_checkpoint_dir(folder)
    regression = cfg.num_labels == 1
    examples = R.read_tsv_examples(os.path.join(OUT, 'data', data_file), cfg.label2id, regression)
    batches = R.encode_batches(tok, examples, max_length, batch_size)
    loss, acc, logits = R.evaluate_params(model, None, batches)
    enc = [tok.encode_pair(a, b, max_length) for a, b, _ in examples]
    weights = sorted(f for f in os.listdir(folder) if f.endswith('.safetensors') or f.endswith('.bin'))
    return {
        'data': data_file,
        'maxLength': max_length,
        'batchSize': batch_size,
        'numLabels': cfg.num_labels,
        'inputIds': [e[0] for e in enc],
        'tokenTypeIds': [e[1] for e in enc],
        'labels': [float(y) for _, _, y in examples],
        'logits': [[float(v) for v in row] for row in logits],
        'loss': loss,
        'accuracy': None if regression else acc,
        'files': {f: {'sha256': sha256(os.path.join(folder, f)), 'bytes': os.path.getsize(os.path.join(folder, f))} for f in weights},
    }


def main():
    torch.manual_seed(0)
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    make_data()
    vocab = make_trimmed_vocab()
    vocab_path = os.path.join(OUT, 'vocab-trimmed.txt')
    write_text(vocab_path, ''.join(t + '\n' for t in vocab))
    tok = R.BertTokenizer(vocab_path)
    refs = {}
    train_log = {}

    # 1+2. erf GELU, 2 labels, SST-2; F32 and BF16.
    torch.manual_seed(1)
    cfg = R.BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                       intermediate_size=64, hidden_act='gelu', max_position_embeddings=64, num_labels=2)
    model = R.BertForSequenceClassification(cfg)
    train_log['tiny-gelu'] = train(model, tok, training_examples('sst2'), 60, 3e-3, 48, False)
    d = os.path.join(OUT, 'tiny-gelu-f32')
    save_folder(d, cfg, vocab)
    R.write_safetensors(os.path.join(d, 'model.safetensors'), hf_state(model), {'format': 'pt'})
    refs['tiny-gelu-f32'] = reference_for(d, 'sst2.tsv', 48, 8)
    d = os.path.join(OUT, 'tiny-gelu-bf16')
    save_folder(d, cfg, vocab)
    R.write_safetensors(os.path.join(d, 'model.safetensors'),
                        collections.OrderedDict((k, v.to(torch.bfloat16)) for k, v in hf_state(model).items()), {'format': 'pt'})
    refs['tiny-gelu-bf16'] = reference_for(d, 'sst2.tsv', 48, 8)

    # 3. gelu_new, eps 1e-5, 3 labels with id2label, legacy names, pytorch_model.bin.
    torch.manual_seed(2)
    id2label = {0: 'contradiction', 1: 'entailment', 2: 'neutral'}
    cfg = R.BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=3, num_attention_heads=4,
                       intermediate_size=48, hidden_act='gelu_new', max_position_embeddings=40, layer_norm_eps=1e-5,
                       id2label=id2label, label2id={v: k for k, v in id2label.items()})
    model = R.BertForSequenceClassification(cfg)
    train_log['legacy-gelunew'] = train(model, tok, training_examples('nli3'), 60, 3e-3, 32, False, cfg.label2id)
    d = os.path.join(OUT, 'legacy-gelunew-bin')
    save_folder(d, cfg, vocab)
    legacy = collections.OrderedDict()
    for k, v in model.state_dict().items():  # keeps bert.embeddings.position_ids (a LongStorage)
        legacy[k.replace('LayerNorm.weight', 'LayerNorm.gamma').replace('LayerNorm.bias', 'LayerNorm.beta')] = v
    g = torch.Generator().manual_seed(3)
    legacy['cls.predictions.bias'] = torch.zeros(len(vocab))
    legacy['cls.predictions.transform.dense.weight'] = torch.randn(32, 32, generator=g) * 0.02
    legacy['cls.predictions.transform.dense.bias'] = torch.zeros(32)
    legacy['cls.predictions.transform.LayerNorm.gamma'] = torch.ones(32)
    legacy['cls.predictions.transform.LayerNorm.beta'] = torch.zeros(32)
    legacy['cls.predictions.decoder.weight'] = legacy['bert.embeddings.word_embeddings.weight']  # tied: shared storage
    legacy['cls.seq_relationship.weight'] = torch.randn(2, 32, generator=g) * 0.02
    legacy['cls.seq_relationship.bias'] = torch.zeros(2)
    # A non-contiguous view (transposed twice is contiguous; a column slice is not): store the
    # classifier weight as a slice of a wider storage to exercise offsets and strides.
    wide = torch.zeros(32, 3 + 2)
    wide[:, 1:4] = legacy['classifier.weight'].t()
    legacy['classifier.weight'] = wide[:, 1:4].t()
    legacy._metadata = model.state_dict()._metadata  # as a real state_dict: pickled via BUILD
    torch.save(legacy, os.path.join(d, 'pytorch_model.bin'))
    refs['legacy-gelunew-bin'] = reference_for(d, 'nli3.tsv', 32, 8)

    # 4. relu, regression (num_labels 1), no bert. prefix, sharded safetensors.
    torch.manual_seed(4)
    cfg = R.BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                       intermediate_size=64, hidden_act='relu', max_position_embeddings=64, num_labels=1)
    model = R.BertForSequenceClassification(cfg)
    train_log['regression-relu'] = train(model, tok, training_examples('stsb'), 60, 3e-3, 48, True)
    d = os.path.join(OUT, 'regression-relu-sharded')
    save_folder(d, cfg, vocab)
    state = collections.OrderedDict((k[len('bert.'):] if k.startswith('bert.') else k, v) for k, v in hf_state(model).items())
    names = list(state)
    shards = {'model-00001-of-00002.safetensors': names[: len(names) // 2], 'model-00002-of-00002.safetensors': names[len(names) // 2:]}
    weight_map = {}
    total = 0
    for shard, keys in shards.items():
        R.write_safetensors(os.path.join(d, shard), collections.OrderedDict((k, state[k]) for k in keys), {'format': 'pt'})
        for k in keys:
            weight_map[k] = shard
            total += state[k].numel() * 4
    write_text(os.path.join(d, 'model.safetensors.index.json'),
               json.dumps({'metadata': {'total_size': total}, 'weight_map': weight_map}, indent=2) + '\n')
    refs['regression-relu-sharded'] = reference_for(d, 'stsb.tsv', 48, 8)

    for name, log in train_log.items():
        print(f'{name}: train loss {log[0]:.4f} -> {log[-1]:.4f} over {len(log)} Adam steps', file=sys.stderr)
    write_text(os.path.join(OUT, 'reference.json'), json.dumps({'checkpoints': refs, 'trainLoss': train_log}) + '\n')
    write_text(os.path.join(OUT, 'tokenizer.json'), json.dumps(tokenizer_refs(vocab_path), ensure_ascii=False) + '\n')


HARD = [
    'Hello, world! How are you?',
    "it 's a charming and often affecting journey . ",
    'Café déjà vu — naïve Zoë résumé, Ångström and ﬁancé.',
    'HELLO Mr. O\'Neil; (parenthetical) [bracketed] {braced} "quoted" 3.14 $5 50% a/b c-d e_f',
    '中国人喜欢日本料理 and 한국어 text; ｆｕｌｌｗｉｄｔｈ and ①②③',
    'unbelievably antidisestablishmentarianism xylophonist zzzqqqxxx',
    'a' * 101 + ' ok ' + 'b' * 100,
    'tabs\tand\nnewlines\r\nand\u00a0nbsp\u2003em-space\u200bzero-width\u0000nul\ufffdreplacement',
    'emoji 😀🎉 and symbols ™ © ° ± × ÷ § ¶ • … ‰',
    'The [MASK] sat on [SEP] the mat [CLS] [UNK].',
    'Ελληνικά και Русский текст и العربية',
    '',
    '   ',
    "don't won't can't it's",
    'e.g. U.S.A. i.e., etc.',
]

PAIRS = [
    ('The cat sat on the mat.', 'A feline rested on a rug.', 128),
    ('A man with a hard hat is dancing. ' * 6, 'A man wearing a hard hat is dancing.', 24),
    ('Short one.', 'This second sentence is considerably longer than the first and must be cut. ' * 3, 20),
    ('equal length words here now', 'equal length words here too', 9),
    ('equal length words here now', 'equal length words here too', 10),
    ('one two three four five six seven eight', 'alpha beta', 6),
    ('Café', '中国', 5),
]


def tokenizer_refs(trimmed):
    out = {'cases': []}
    vocabs = [('full', FULL_VOCAB), ('trimmed', trimmed)]
    for vname, path in vocabs:
        for lower in (True, False):
            tok = R.BertTokenizer(path, do_lower_case=lower)
            for s in HARD:
                ids, tt = tok.encode_pair(s, None, 128)
                out['cases'].append({'vocab': vname, 'lower': lower, 'a': s, 'b': None, 'maxLength': 128,
                                     'tokens': tok.tokenize(s), 'ids': ids, 'typeIds': tt})
            for a, b, L in PAIRS:
                ids, tt = tok.encode_pair(a, b, L)
                out['cases'].append({'vocab': vname, 'lower': lower, 'a': a, 'b': b, 'maxLength': L,
                                     'tokens': None, 'ids': ids, 'typeIds': tt})
    return out


if __name__ == '__main__':
    main()
