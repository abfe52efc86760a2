/**
 * The TypeScript WSI scorers against the official jars' numbers (tests/fixtures/wsi, made by
 * tools/wsi/make_fixtures.py), on the gold keys in ../shared/data/wsi: every baseline key and a
 * seeded random key, totals and per-word/per-term values to 1e-4 (checked to 1e-9).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scoreSemeval2010, type Semeval2010Pos } from './semeval2010';

const ROOT = resolve(__dirname, '../../../..');
const read = (p: string) => readFileSync(resolve(ROOT, p), 'utf8');
const TOL = 1e-9;

interface Fx2010 {
  gold: string;
  keys: Record<
    string,
    {
      path: string;
      pos: Record<
        string,
        {
          fscore: { words: Record<string, number[]>; total: number; clusters: number };
          vmeasure: { words: Record<string, (number | null)[]>; total: number };
        }
      >;
    }
  >;
}

const fx10 = JSON.parse(read('tests/fixtures/wsi/semeval2010.json')) as Fx2010;

describe('SemEval-2010 paired F-score and V-measure (fscore.jar, vmeasure.jar)', () => {
  const gold = read(fx10.gold);
  const memo = new Map<string, ReturnType<typeof scoreSemeval2010>>();
  const scored = (name: string, pos: Semeval2010Pos) => {
    const id = `${name} ${pos}`;
    if (!memo.has(id)) memo.set(id, scoreSemeval2010(gold, read(fx10.keys[name].path), pos));
    return memo.get(id) as ReturnType<typeof scoreSemeval2010>;
  };
  for (const [name, entry] of Object.entries(fx10.keys)) {
    it(`${name}: totals and per-word values for n, v, all`, () => {
      for (const pos of ['all', 'n', 'v'] as Semeval2010Pos[]) {
        const ref = entry.pos[pos];
        const s = scored(name, pos);
        expect(s.fScore).toBeCloseTo(ref.fscore.total, 9);
        expect(Math.abs(s.vMeasure - ref.vmeasure.total)).toBeLessThan(TOL);
        expect(s.meanClusters).toBeCloseTo(ref.fscore.clusters, 9);
        expect(s.words.map((w) => w.word)).toEqual(Object.keys(ref.fscore.words));
        for (const w of s.words) {
          const [f, p, r] = ref.fscore.words[w.word];
          expect(Math.abs(w.fScore - f)).toBeLessThan(TOL);
          if (!Number.isNaN(p)) expect(Math.abs(w.precision - p)).toBeLessThan(TOL);
          if (!Number.isNaN(r)) expect(Math.abs(w.recall - r)).toBeLessThan(TOL);
          const [v, h, c] = ref.vmeasure.words[w.word];
          expect(Math.abs(w.vMeasure - (v as number))).toBeLessThan(TOL);
          if (h !== null) expect(Math.abs(w.homogeneity - h)).toBeLessThan(TOL);
          if (c !== null) expect(Math.abs(w.completeness - c)).toBeLessThan(TOL);
        }
      }
    });
  }

  it('matches REFERENCE_SCORES.tsv (the jars as printed)', () => {
    const ref = read('../shared/data/wsi/semeval2010-task14/REFERENCE_SCORES.tsv');
    for (const line of ref.split('\n').filter((l) => l && !l.startsWith('#'))) {
      const [name, fs, vs] = line.split('\t');
      const s = scored(name, 'all');
      expect(Math.abs(s.fScore - Number(fs.split('=')[1]))).toBeLessThan(1e-12);
      expect(Math.round(s.vMeasure * 1000) / 1000).toBe(Number(vs.split('=')[1]));
    }
  });

  it('changes when one system label changes (the scorer can fail)', () => {
    const key = read(fx10.keys.random1.path);
    const before = scored('random1', 'all');
    const lines = key.split('\n');
    const [w, inst] = lines[0].split(' ');
    lines[0] = `${w} ${inst} brand-new-cluster`;
    const after = scoreSemeval2010(gold, lines.join('\n'), 'all');
    expect(after.fScore).not.toBe(before.fScore);
    expect(after.vMeasure).not.toBe(before.vMeasure);
  });

  it('rejects a line with fewer than three fields, naming the file', () => {
    expect(() => scoreSemeval2010(gold, 'access.n access.n.15\n', 'all', { system: 'sys.key' })).toThrow(
      /sys\.key: line 1/,
    );
  });
});
