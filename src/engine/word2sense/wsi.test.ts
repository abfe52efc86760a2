/**
 * WSI end to end on the planted "bank" model (instances whose context decides the sense, clustered
 * and scored with the ported SemEval scorer), the SemEval readers on the real test files, and SCWS.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateScws, parseScws, type ScwsPair } from '../eval/scws';
import { parseSemeval2010Xml, parseSemeval2013Xml, type WsiInstance } from '../eval/wsi/readers';
import { scoreSemeval2010 } from '../eval/wsi/semeval2010';
import { bankModel } from '../../testing/contextPlanted';
import { jsDivergence } from '../eval/divergence';
import { formatWsiKey, induceSenses } from './wsi';
import { senseDistanceMatrix } from './wsiLinkage';

const DATA = resolve(__dirname, '../../../../shared/data');

const money = [
  'I paid the money into the bank for the loan',
  'a deposit at the bank',
  'the bank gave a loan and took the deposit',
];
const river = [
  'fish swim by the bank of the river',
  'water lapped the river bank and the shore',
  'the bank of the river where fish and water meet',
];
const instances: WsiInstance[] = [...money, ...river].map((text, i) => ({
  id: `bank.n.${i + 1}`,
  term: 'bank.n',
  lemma: 'bank',
  pos: 'n',
  text,
}));
const gold = instances.map((x, i) => `bank.n ${x.id} bank.n.${i < money.length ? 'money' : 'river'}\n`).join('');

describe('WSI with WordCtx2Sense', () => {
  it('labels instances by the sense their context selects and recovers the planted split', async () => {
    const a = await induceSenses(bankModel, instances, { clusters: 2 });
    expect(a.map((x) => x.sense)).toEqual([0, 0, 0, 1, 1, 1]);
    const key = formatWsiKey(a);
    expect(key.split('\n')[0]).toBe('bank.n bank.n.1 bank.n.c1');
    const s = scoreSemeval2010(gold, key, 'all');
    expect(s.fScore).toBeCloseTo(1, 12);
    expect(s.vMeasure).toBeCloseTo(1, 12);
  });

  it('merges the labels into one cluster when K = 1 (complete linkage on β-row JS)', async () => {
    const a = await induceSenses(bankModel, instances, { clusters: 1 });
    expect(new Set(a.map((x) => x.cluster))).toEqual(new Set([0]));
    const s = scoreSemeval2010(gold, formatWsiKey(a), 'all');
    expect(s.vMeasure).toBe(0);
  });
});

describe('sense distances', () => {
  it('are JS between β rows, symmetric, and the same through the cache', () => {
    const V = bankModel.V;
    const row = (z: number) => bankModel.beta.subarray(z * V, z * V + V);
    const cache = new Map<number, number>();
    const d = senseDistanceMatrix(bankModel, [2, 0, 1], cache);
    expect(d[0 * 3 + 1]).toBeCloseTo(jsDivergence(row(2), row(0)), 12);
    expect(d[1 * 3 + 0]).toBe(d[0 * 3 + 1]);
    expect(d[1 * 3 + 2]).toBeCloseTo(jsDivergence(row(0), row(1)), 12);
    expect(cache.size).toBe(3);
    expect(Array.from(senseDistanceMatrix(bankModel, [2, 0, 1], cache))).toEqual(Array.from(d));
  });
});

describe.runIf(existsSync(DATA))('SemEval readers on the shared test data', () => {
  it('SemEval-2010: one instance per gold-key line, with its target sentence', () => {
    const xml = readFileSync(resolve(DATA, 'wsi/semeval2010-task14/SemEval-2010/test_data/nouns/access.n.xml'), 'utf8');
    const inst = parseSemeval2010Xml(xml, 'access.n.xml');
    const key = readFileSync(
      resolve(DATA, 'wsi/semeval2010-task14/SemEval-2010/evaluation/unsup_eval/keys/all.key'),
      'utf8',
    );
    const ids = key
      .split('\n')
      .filter((l) => l.startsWith('access.n '))
      .map((l) => l.split(' ')[1]);
    expect(new Set(inst.map((i) => i.id))).toEqual(new Set(ids));
    expect(inst[0].term).toBe('access.n');
    expect(inst[0].targetSentence).toMatch(/access to the sea/);
    expect(inst[0].text).toContain(inst[0].targetSentence as string);
    expect(inst[0].text).not.toMatch(/</);
  });

  it('SemEval-2013: the token sits at [tokenStart, tokenEnd)', () => {
    const xml = readFileSync(
      resolve(DATA, 'wsi/semeval2013-task13/SemEval-2013-Task-13-test-data/contexts/xml-format/add.v.xml'),
      'utf8',
    );
    const inst = parseSemeval2013Xml(xml, 'add.v.xml');
    const key = readFileSync(
      resolve(DATA, 'wsi/semeval2013-task13/SemEval-2013-Task-13-test-data/keys/gold/all.key'),
      'utf8',
    );
    expect(inst.length).toBe(key.split('\n').filter((l) => l.startsWith('add.v ')).length);
    for (const i of inst) expect(i.text.slice(i.target?.start, i.target?.end)).toBe(i.target?.token);
    expect(inst[0]).toMatchObject({ id: 'add.v.1', term: 'add.v', target: { token: 'adding', start: 51, end: 57 } });
  });

  it('SCWS: 2003 pairs, markers removed, average = mean of the ratings', () => {
    const pairs = parseScws(readFileSync(resolve(DATA, 'word-similarity/SCWS/ratings.txt'), 'utf8'));
    expect(pairs.length).toBe(2003);
    expect(pairs[0]).toMatchObject({ id: '1', word1: 'Brazil', word2: 'nut' });
    expect(pairs[0].context1).toContain(' Brazil the philosophy');
    for (const p of pairs.slice(0, 50))
      expect(p.average).toBeCloseTo(p.ratings.reduce((a, b) => a + b, 0) / p.ratings.length, 1);
  });
});

describe('SCWS evaluation', () => {
  it('scores same-sense contexts as more similar, so ρ follows the planted ratings', async () => {
    const pair = (id: string, w1: string, c1: string, w2: string, c2: string, average: number): ScwsPair => ({
      id,
      word1: w1,
      pos1: 'n',
      word2: w2,
      pos2: 'n',
      context1: c1,
      context2: c2,
      average,
      ratings: [average],
    });
    const pairs = [
      pair('1', 'bank', money[0], 'money', money[1], 9),
      pair('2', 'bank', river[0], 'water', river[1], 8),
      pair('3', 'bank', money[2], 'fish', river[2], 2),
      pair('4', 'bank', river[1], 'loan', money[0], 1),
      pair('5', 'bank', money[0], 'unknownword', money[1], 5),
    ];
    const r = await evaluateScws(bankModel, pairs);
    expect(r.pairs).toBe(5);
    expect(r.covered).toBe(4);
    const s = Object.fromEntries(r.scores.map((x) => [x.id, x]));
    // Same-sense pairs score higher (less JS) than cross-sense pairs, with context…
    expect(Math.min(s['1'].context, s['2'].context)).toBeGreaterThan(Math.max(s['3'].context, s['4'].context));
    expect(r.spearman as number).toBeGreaterThan(0.7);
    // …which the context-free embeddings of "bank" cannot do as well.
    expect(r.spearman_no_context as number).toBeLessThan(r.spearman as number);
  });
});
