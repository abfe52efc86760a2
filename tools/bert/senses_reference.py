"""Reference hidden states for sensescape's sense probe (run with /usr/bin/python3 from the repo root).

For a handful of WSI and SCWS instances (read from /work/shared/data, or the paths given), this
  * splits each into left context / target / right context exactly as src/engine/landscape/senseData.ts
    does (SemEval-2010: irregular form, else longest common prefix with the lemma; SemEval-2013: the
    character span; SCWS: the <b> … </b> marker),
  * encodes them with tools/bert/reference.py's BertTokenizer (HF's, line by line) as
    `[CLS] left target right [SEP]` with the same window around the target when too long,
  * runs the faithful PyTorch BERT of reference.py on the tiny landscape fixtures (origin → ft-a) at
    θ(α) = θ0 + α(θ1 − θ0), α ∈ {0, 0.5, 1} (float32 arithmetic, as the engine), and records the mean
    hidden state over the target's sub-tokens at every layer (0 = embeddings … L),
and writes tests/fixtures/landscape/senses/hidden.json. Deterministic.
"""
from __future__ import annotations

import json
import os
import re
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference import load_checkpoint_dir, read_checkpoint_tensors, set_params  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(ROOT, 'tests', 'fixtures', 'landscape')
DATA = '/work/shared/data'
MAX_LENGTH = 24  # small, so that the window around the target is exercised
ALPHAS = [0.0, 0.5, 1.0]

IRREGULAR = {
    'lay': ['laid', 'lain'], 'lie': ['lay', 'lain', 'lying'], 'swear': ['swore', 'sworn'], 'stick': ['stuck'],
    'catch': ['caught'], 'seek': ['sought'], 'strike': ['struck', 'stricken'], 'figure': ['figger', 'figgered'],
}


def locate_lemma(tokens, lemma):
    lower = [t.lower() for t in tokens]
    irr = IRREGULAR.get(lemma, [])
    for i, t in enumerate(lower):
        if t == lemma or t in irr:
            return i
    best, best_len = 0, -1
    for i, t in enumerate(lower):
        n = 0
        while n < len(t) and n < len(lemma) and t[n] == lemma[n]:
            n += 1
        if n > best_len:
            best, best_len = i, n
    return best


def unxml(s):
    s = re.sub(r'<[^>]*>', ' ', s)
    for a, b in (('&lt;', '<'), ('&gt;', '>'), ('&quot;', '"'), ('&apos;', "'"), ('&amp;', '&')):
        s = s.replace(a, b)
    return re.sub(r'\s+', ' ', s).strip()


def semeval2010(term, ids):
    pos = 'nouns' if term.endswith('.n') else 'verbs'
    xml = open(os.path.join(DATA, 'wsi/semeval2010-task14/SemEval-2010/test_data', pos, term + '.xml')).read()
    lemma = term.rsplit('.', 1)[0]
    out = []
    for i in ids:
        body = re.search(r'<%s\.%d>(.*?)</%s\.%d>' % (re.escape(term), i, re.escape(term), i), xml, re.S).group(1)
        toks = unxml(re.search(r'<TargetSentence>(.*?)</TargetSentence>', body, re.S).group(1)).split()
        k = locate_lemma(toks, lemma)
        out.append(dict(id=f'{term}.{i}', term=term, left=' '.join(toks[:k]), target=toks[k],
                        right=' '.join(toks[k + 1:])))
    return out


def semeval2013(lemma_file, count):
    xml = open(os.path.join(DATA, 'wsi/semeval2013-task13/SemEval-2013-Task-13-test-data/contexts/xml-format',
                            lemma_file)).read()
    out = []
    for m in list(re.finditer(r'<instance\b([^>]*)>(.*?)</instance>', xml, re.S))[:count]:
        a = dict(re.findall(r'([\w:-]+)\s*=\s*"([^"]*)"', m.group(1)))
        text = m.group(2)
        s, e = int(a['tokenStart']), int(a['tokenEnd'])
        assert text[s:e] == a['token'], (a, text[s:e])
        out.append(dict(id=a['id'], term=f"{a['lemma']}.{a['partOfSpeech']}", left=text[:s], target=text[s:e],
                        right=text[e:]))
    return out


def scws(count):
    out = []
    for line in open(os.path.join(DATA, 'word-similarity/SCWS/ratings.txt')).read().splitlines()[:count]:
        f = line.split('\t')
        for j, (w, ctx) in enumerate(((f[1], f[5]), (f[3], f[6]))):
            m = re.search(r'<b>(.*?)</b>', ctx, re.S)
            out.append(dict(id=f'{f[0]}:{j + 1}', term=w, left=ctx[:m.start()], target=m.group(1).strip(),
                            right=ctx[m.end():]))
    return out


def encode(inst, tok, max_length):
    ids = lambda s: tok.convert_tokens_to_ids(tok.tokenize(s))  # noqa: E731
    left, target, right = ids(inst['left']), ids(inst['target']), ids(inst['right'])
    unk = tok.vocab['[UNK]']
    if not target:
        target = [unk]
    room = max_length - 2
    target = target[:room]
    budget = room - len(target)
    nl = min(len(left), budget // 2)
    nr = min(len(right), budget - nl)
    nl = min(len(left), budget - nr)
    seq = [tok.vocab['[CLS]']] + left[len(left) - nl:] + target + right[:nr] + [tok.vocab['[SEP]']]
    return seq, 1 + nl, 1 + nl + len(target)


@torch.no_grad()
def hidden_states(model, enc):
    """[layers + 1][instances][H] mean over each target span, one batch padded with [PAD] = 0."""
    L = max(len(s) for s, _, _ in enc)
    ids = torch.zeros((len(enc), L), dtype=torch.long)
    mask = torch.zeros((len(enc), L), dtype=torch.long)
    for i, (s, _, _) in enumerate(enc):
        ids[i, :len(s)] = torch.tensor(s)
        mask[i, :len(s)] = 1
    bert = model.bert
    ext = (1.0 - mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min
    x = bert.embeddings(ids, torch.zeros_like(ids))
    states = [x]
    for layer in bert.encoder.layer:
        x = layer(x, ext)
        states.append(x)
    return [[h[i, a:b].mean(0).tolist() for i, (_, a, b) in enumerate(enc)] for h in states]


def main():
    instances = (semeval2010('lay.v', [1, 2, 3]) + semeval2010('access.n', [1, 2]) +
                 semeval2013('add.v.xml', 2) + scws(2))
    model, tok, _ = load_checkpoint_dir(os.path.join(FIX, 'ft-a'))
    theta1 = read_checkpoint_tensors(os.path.join(FIX, 'ft-a'))
    theta0 = read_checkpoint_tensors(os.path.join(FIX, 'origin'))
    enc = [encode(inst, tok, MAX_LENGTH) for inst in instances]
    points = []
    for alpha in ALPHAS:
        params = {}
        for n, t1 in theta1.items():
            t0 = theta0.get(n)
            params[n] = t1 if t0 is None else t0 + torch.tensor(alpha, dtype=torch.float32) * (t1 - t0)
        set_params(model, params)
        model.eval()
        points.append(dict(alpha=alpha, layers=hidden_states(model, enc)))
    out = dict(
        generator='tools/bert/senses_reference.py',
        origin='origin', toward='ft-a', max_length=MAX_LENGTH,
        instances=[dict(inst, input_ids=s, start=a, end=b) for inst, (s, a, b) in zip(instances, enc)],
        points=points,
    )
    os.makedirs(os.path.join(FIX, 'senses'), exist_ok=True)
    with open(os.path.join(FIX, 'senses', 'hidden.json'), 'w') as f:
        json.dump(out, f, indent=None, separators=(',', ':'))
    print('wrote', os.path.join(FIX, 'senses', 'hidden.json'), len(instances), 'instances')


if __name__ == '__main__':
    main()
