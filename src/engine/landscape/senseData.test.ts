/**
 * Where the sense probe finds its targets and how it crops long contexts: SemEval-2010 lemma
 * location (inflections, irregular forms, first on ties), SCWS markers, SemEval-2013 spans, and the
 * window around the target (half the room to the left, the rest right, the target kept).
 */
import { describe, expect, it } from 'vitest';
import { BertTokenizer } from '../text/bertTokenizer';
import { encodeSenseInstance, locateLemma, scwsSenseInstances, wsiSenseInstances } from './senseData';
import { parseScws } from '../eval/scws';

const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'bank', '##s', 'x'];
const tok = new BertTokenizer(vocab);

describe('sense instances', () => {
  it('locates SemEval-2010 targets by inflection or irregular form', () => {
    expect(locateLemma(['He', 'denied', 'it', 'and', 'denies', 'it'], 'deny')).toBe(1);
    expect(locateLemma(['They', 'laid', 'a', 'plan', 'to', 'lay'], 'lay')).toBe(1); // the first exact or irregular form
    expect(locateLemma(['They', 'laid', 'a', 'plan'], 'lay')).toBe(1);
    expect(locateLemma(['It', 'stuck', 'fast'], 'stick')).toBe(1);
    const [inst] = wsiSenseInstances([
      { id: 'deny.v.1', term: 'deny.v', lemma: 'deny', pos: 'v', text: 'x', targetSentence: 'He quickly denied it .' },
    ]);
    expect(inst).toMatchObject({ left: 'He quickly', target: 'denied', right: 'it .' });
  });

  it('splits SemEval-2013 spans and SCWS markers', () => {
    const [inst] = wsiSenseInstances([
      {
        id: 'i1',
        term: 'bank.n',
        lemma: 'bank',
        pos: 'n',
        text: 'the banks open',
        target: { token: 'banks', start: 4, end: 9 },
      },
    ]);
    expect(inst).toMatchObject({ left: 'the ', target: 'banks', right: ' open' });
    const line = ['1', 'bank', 'n', 'a', 'n', 'x <b> bank </b> y', 'the <b>a</b>', '5', ...Array(10).fill('5')].join(
      '\t',
    );
    const { instances } = scwsSenseInstances(line, parseScws(line), 'r');
    expect(instances.map((i) => [i.id, i.left, i.target, i.right])).toEqual([
      ['1:1', 'x ', 'bank', ' y'],
      ['1:2', 'the ', 'a', ''],
    ]);
  });

  it('keeps the target and crops a window around it', () => {
    const inst = { id: 'i', term: 't', left: 'a b c d e', target: 'banks', right: 'f g' };
    // bank ##s: 2 pieces; room 7 − 2 = 5: ⌊5/2⌋ = 2 left, then 2 right (all there is), 1 more left.
    const e = encodeSenseInstance(inst, tok, 9);
    expect(e.ids).toEqual([2, 7, 8, 9, 12, 13, 10, 11, 3]);
    expect([e.start, e.end]).toEqual([4, 6]);
    const full = encodeSenseInstance(inst, tok, 64);
    expect(full.ids.length).toBe(11);
    expect(full.ids.slice(full.start, full.end)).toEqual([12, 13]);
    const tight = encodeSenseInstance(inst, tok, 3);
    expect(tight.ids).toEqual([2, 12, 3]);
  });
});
