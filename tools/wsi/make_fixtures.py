#!/usr/bin/env python3
"""Reference numbers for the TypeScript WSI scorers, made by the official Java scorers.

SemEval-2010 Task 14: fscore.jar / vmeasure.jar classes driven by Semeval2010Full.java (the jars round
per-word values and the total V-measure to 3 decimals; the driver repeats their loops and prints full
precision, and this script checks it against the jars' own printed totals).
SemEval-2013 Task 13: fuzzy-bcubed.jar and fuzzy-nmi.jar, run as distributed (they print full precision).

Also writes two seeded random system keys (small subsets, with the quirks the scorers must handle:
missing instances, duplicates, extra instances, sense/weight suffixes, unweighted senses).

Run from the repository root:  /usr/bin/python3 tools/wsi/make_fixtures.py
Outputs: tests/fixtures/wsi/{semeval2010,semeval2013}.json and tests/fixtures/wsi/keys/*.key
"""
import json
import os
import random
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
DATA = os.path.abspath(os.path.join(ROOT, '..', 'shared', 'data', 'wsi'))
E10 = os.path.join(DATA, 'semeval2010-task14', 'SemEval-2010', 'evaluation', 'unsup_eval')
T13 = os.path.join(DATA, 'semeval2013-task13', 'SemEval-2013-Task-13-test-data')
OUT = os.path.join(ROOT, 'tests', 'fixtures', 'wsi')
KEYS = os.path.join(OUT, 'keys')
BUILD = '/tmp/wsi-java'


def rel(p):
    return os.path.relpath(p, ROOT)


def run(cmd, cwd=None):
    return subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, text=True).stdout


def make_random_2010(path):
    rng = random.Random(20100714)
    gold = [l.split() for l in open(os.path.join(E10, 'keys', 'all.key')) if l.strip()]
    lemmas = sorted({g[0] for g in gold})
    chosen = set(rng.sample(lemmas, 25))
    k = {w: rng.randint(1, 6) for w in chosen}
    lines = []
    for w, inst, _ in gold:
        if w not in chosen or rng.random() < 0.06:
            continue  # omitted instances go to the scorer's per-lemma ".CR." cluster
        c = f'{w}.c{rng.randint(1, k[w])}'
        if rng.random() < 0.05:
            c += '/0.7'  # the scorer cuts labels at '/'
        lines.append(f'{w} {inst} {c}')
        if rng.random() < 0.02:
            lines.append(f'{w} {inst} {w}.dup')  # a repeated instance: only the first line counts
    w0 = sorted(chosen)[0]
    lines.append(f'{w0} {w0}.99999 {w0}.c1')  # not in the gold key: ignored
    rng.shuffle(lines)
    open(path, 'w').write('\n'.join(lines) + '\n')


def make_random_2013(path):
    rng = random.Random(20130613)
    gold = [l.split() for l in open(os.path.join(T13, 'keys', 'gold', 'all.key')) if l.strip()]
    terms = sorted({g[0] for g in gold})
    chosen = set(rng.sample(terms, 15))
    k = {t: rng.randint(2, 5) for t in chosen}
    lines = []
    for g in gold:
        t, inst = g[0], g[1]
        if t not in chosen or rng.random() < 0.05:
            continue
        n = 1 if rng.random() < 0.7 else rng.randint(2, 3)
        senses = rng.sample(range(k[t]), min(n, k[t]))
        labels = []
        for s in senses:
            if rng.random() < 0.9:
                labels.append(f'{t}.s{s}/{rng.randint(1, 1000) / 1000}')
            else:
                labels.append(f'{t}.s{s}')  # unweighted: the whole instance becomes weight 1
        lines.append(f'{t} {inst} ' + ' '.join(labels))
    for t in sorted(chosen)[:3]:
        lines.append(f'{t} {t}.9999 {t}.s0/1')  # extra instance not in the gold key (the 2013 jars keep it)
    open(path, 'w').write('\n'.join(lines) + '\n')


def score_2010(key, pos):
    out = run(['java', '-cp', os.path.join(E10, 'fscore.jar') + ':' + BUILD, 'Semeval2010Full', key,
               os.path.join(E10, 'keys', 'all.key'), pos])
    return json.loads(out.replace('NaN', 'null'))


def jar_total_2010(jar, key, pos):
    out = run(['java', '-jar', os.path.join(E10, jar), key, os.path.join(E10, 'keys', 'all.key'), pos])
    line = [l for l in out.splitlines() if l.startswith('Total')][0]
    return line.split(':', 1)[1]


def parse_2013(out, cols):
    terms, total = {}, None
    for line in out.splitlines():
        parts = line.split('\t')
        if len(parts) != cols + 1:
            continue
        try:
            vals = [None if v == 'NaN' else float(v) for v in parts[1:]]
        except ValueError:
            continue
        if parts[0] == 'all':
            total = vals
        else:
            terms[parts[0]] = vals
    return terms, total


def main():
    os.makedirs(KEYS, exist_ok=True)
    os.makedirs(BUILD, exist_ok=True)
    run(['javac', '-cp', os.path.join(E10, 'fscore.jar'), '-d', BUILD,
         os.path.join(ROOT, 'tools', 'wsi', 'Semeval2010Full.java')])
    r10 = os.path.join(KEYS, 'random2010.key')
    r13 = os.path.join(KEYS, 'random2013.key')
    make_random_2010(r10)
    make_random_2013(r13)

    keys10 = {b[:-4]: os.path.join(E10, 'baselines', b) for b in sorted(os.listdir(os.path.join(E10, 'baselines')))}
    keys10['random2010'] = r10
    fx10 = {'gold': rel(os.path.join(E10, 'keys', 'all.key')), 'keys': {}}
    for name, key in keys10.items():
        entry = {'path': rel(key), 'pos': {}}
        for pos in ('all', 'n', 'v'):
            s = score_2010(key, pos)
            # The driver must agree with the jars' own printed totals.
            jf = jar_total_2010('fscore.jar', key, pos)
            jv = jar_total_2010('vmeasure.jar', key, pos)
            assert float(jf) == s['fscore']['total'], (name, pos, jf, s['fscore']['total'])
            assert abs(float(jv) - s['vmeasure']['total']) <= 0.0005 + 1e-12, (name, pos, jv, s['vmeasure']['total'])
            entry['pos'][pos] = s
        fx10['keys'][name] = entry
        print('2010', name, entry['pos']['all']['fscore']['total'], entry['pos']['all']['vmeasure']['total'], file=sys.stderr)
    json.dump(fx10, open(os.path.join(OUT, 'semeval2010.json'), 'w'), separators=(',', ':'))

    gold13 = {g: os.path.join(T13, 'keys', 'gold', g + '.key') for g in ('all', 'nouns', 'verbs', 'adjectives')}
    keys13 = {b[:-4]: os.path.join(T13, 'keys', 'baselines', b) for b in sorted(os.listdir(os.path.join(T13, 'keys', 'baselines')))}
    keys13['random2013'] = r13
    fx13 = {'gold': {g: rel(p) for g, p in gold13.items()}, 'keys': {}}
    for name, key in keys13.items():
        entry = {'path': rel(key), 'gold': {}}
        for g, gp in gold13.items():
            b3, b3all = parse_2013(run(['java', '-jar', os.path.join(T13, 'scoring', 'fuzzy-bcubed.jar'), gp, key]), 3)
            nmi, nmiall = parse_2013(run(['java', '-jar', os.path.join(T13, 'scoring', 'fuzzy-nmi.jar'), gp, key]), 1)
            e = {'fuzzy_bcubed': b3all, 'fuzzy_nmi': nmiall[0]}
            if g == 'all':
                e['terms_bcubed'] = b3
                e['terms_nmi'] = {t: v[0] for t, v in nmi.items()}
            entry['gold'][g] = e
        fx13['keys'][name] = entry
        print('2013', name, entry['gold']['all']['fuzzy_bcubed'], entry['gold']['all']['fuzzy_nmi'], file=sys.stderr)
    json.dump(fx13, open(os.path.join(OUT, 'semeval2013.json'), 'w'), separators=(',', ':'))


if __name__ == '__main__':
    main()
