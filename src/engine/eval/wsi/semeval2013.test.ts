/**
 * The TypeScript WSI scorers against the official jars' numbers (tests/fixtures/wsi, made by
 * tools/wsi/make_fixtures.py), on the gold keys in ../shared/data/wsi: every baseline key and a
 * seeded random key per task, totals and per-word/per-term values to 1e-4 (checked to 1e-9).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuzzyBCubed } from './fuzzyBCubed';
import { fuzzyNmi } from './fuzzyNmi';
import { filterKeyByPos, parseGradedKey } from './gradedKey';
import { scoreWsi } from './score';

const ROOT = resolve(__dirname, '../../../..');
const read = (p: string) => readFileSync(resolve(ROOT, p), 'utf8');
const TOL = 1e-9;

interface Fx2013 {
  gold: Record<string, string>;
  keys: Record<
    string,
    {
      path: string;
      gold: Record<
        string,
        {
          fuzzy_bcubed: number[];
          fuzzy_nmi: number;
          terms_bcubed?: Record<string, number[]>;
          terms_nmi?: Record<string, number>;
        }
      >;
    }
  >;
}

const fx13 = JSON.parse(read('tests/fixtures/wsi/semeval2013.json')) as Fx2013;

describe('SemEval-2013 fuzzy B-cubed and fuzzy NMI (fuzzy-bcubed.jar, fuzzy-nmi.jar)', () => {
  const golds = Object.fromEntries(Object.entries(fx13.gold).map(([g, p]) => [g, parseGradedKey(read(p), p)]));
  for (const [name, entry] of Object.entries(fx13.keys)) {
    it(`${name}: totals (all, nouns, verbs, adjectives) and per-term values`, () => {
      const test = parseGradedKey(read(entry.path), entry.path);
      const golds4 =
        name === 'random2013' || name === 'all-senses.avg-rating.wn'
          ? Object.entries(entry.gold)
          : [['all', entry.gold.all] as const];
      for (const [g, ref] of golds4) {
        const b3 = fuzzyBCubed(golds[g], test);
        const nmi = fuzzyNmi(golds[g], test);
        expect(Math.abs(b3.precision - ref.fuzzy_bcubed[0])).toBeLessThan(TOL);
        expect(Math.abs(b3.recall - ref.fuzzy_bcubed[1])).toBeLessThan(TOL);
        expect(Math.abs(b3.fScore - ref.fuzzy_bcubed[2])).toBeLessThan(TOL);
        expect(Math.abs(nmi.nmi - ref.fuzzy_nmi)).toBeLessThan(TOL);
        if (ref.terms_bcubed && ref.terms_nmi) {
          for (const [term, [p, r, f]] of Object.entries(ref.terms_bcubed)) {
            const s = b3.terms.get(term);
            expect(s, term).toBeDefined();
            expect(Math.abs((s?.precision ?? NaN) - p)).toBeLessThan(TOL);
            expect(Math.abs((s?.recall ?? NaN) - r)).toBeLessThan(TOL);
            expect(Math.abs((s?.fScore ?? NaN) - f)).toBeLessThan(TOL);
          }
          for (const [term, v] of Object.entries(ref.terms_nmi))
            expect(Math.abs((nmi.terms.get(term) ?? NaN) - v)).toBeLessThan(TOL);
        }
      }
    });
  }

  it('per-POS selection of the full gold key equals the jars on nouns.key / verbs.key / adjectives.key', () => {
    const entry = fx13.keys['random.2-senses.induced'];
    const test = parseGradedKey(read(entry.path));
    for (const [pos, g] of [
      ['n', 'nouns'],
      ['v', 'verbs'],
      ['j', 'adjectives'],
    ]) {
      const b3 = fuzzyBCubed(filterKeyByPos(golds.all, pos), test);
      expect(Math.abs(b3.fScore - entry.gold[g].fuzzy_bcubed[2])).toBeLessThan(TOL);
      expect(Math.abs(fuzzyNmi(filterKeyByPos(golds.all, pos), test).nmi - entry.gold[g].fuzzy_nmi)).toBeLessThan(TOL);
    }
  });

  it('reads weights as the jar does: unweighted labels make every label 1, others divide by the max', () => {
    const k = parseGradedKey('a.n a.n.1 x/2 y/4\na.n a.n.2 x y/3\na.n a.n.3 z/0.5 !! w/1\n');
    const i = k.get('a.n');
    expect([...(i?.get('a.n.1') ?? [])]).toEqual([
      ['x', 0.5],
      ['y', 1],
    ]);
    expect([...(i?.get('a.n.2') ?? [])]).toEqual([
      ['x', 1],
      ['y', 1],
    ]);
    expect([...(i?.get('a.n.3') ?? [])]).toEqual([['z', 1]]);
    expect(() => parseGradedKey('a.n a.n.1 x/abc\n', 'k.key')).toThrow(/k\.key: line 1/);
  });

  it('scoreWsi reports overall and per-POS numbers for both tasks', () => {
    const s13 = scoreWsi('semeval2013', read(fx13.gold.all), read(fx13.keys['random.2-senses.induced'].path));
    expect(s13.task).toBe('semeval2013');
    if (s13.task !== 'semeval2013') return;
    expect(Object.keys(s13.by_pos)).toEqual(['j', 'n', 'v']);
    expect(
      Math.abs(s13.by_pos.n.fuzzy_bcubed - fx13.keys['random.2-senses.induced'].gold.nouns.fuzzy_bcubed[2]),
    ).toBeLessThan(TOL);
    const fx10 = JSON.parse(read('tests/fixtures/wsi/semeval2010.json')) as {
      gold: string;
      keys: Record<
        string,
        { path: string; pos: Record<string, { fscore: { total: number }; vmeasure: { total: number } }> }
      >;
    };
    const s10 = scoreWsi('semeval2010', read(fx10.gold), read(fx10.keys.random2010.path));
    if (s10.task !== 'semeval2010') return;
    expect(Math.abs(s10.by_pos.n.f_score - fx10.keys.random2010.pos.n.fscore.total)).toBeLessThan(TOL);
    expect(Math.abs(s10.by_pos.v.v_measure - fx10.keys.random2010.pos.v.vmeasure.total)).toBeLessThan(TOL);
  });
});
