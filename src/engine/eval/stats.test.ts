import { describe, expect, it } from 'vitest';
import fixtures from '../../../tests/fixtures/w2s/eval.json';
import { averagePrecision, averageRanks, bestF1, pearson, spearman } from './stats';

describe('rank statistics against scipy/sklearn (tools/w2s/make_eval_fixtures.py)', () => {
  it('average ranks for ties', () => {
    expect([...averageRanks([10, 20, 10, 30, 20, 20])]).toEqual([1.5, 4, 1.5, 6, 4, 4]);
  });
  it('Spearman equals scipy.stats.spearmanr on tied data', () => {
    for (const f of fixtures.spearman) expect(spearman(f.x, f.y)).toBeCloseTo(f.rho, 12);
  });
  it('Pearson is NaN for a constant side', () => {
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNaN();
  });
  it('average precision equals sklearn average_precision_score (ties grouped)', () => {
    for (const f of fixtures.ap) expect(averagePrecision(f.labels, f.scores)).toBeCloseTo(f.ap, 12);
  });
  it('best F1 equals the max over sklearn precision_recall_curve', () => {
    for (const f of fixtures.ap) expect(bestF1(f.labels, f.scores)).toBeCloseTo(f.best_f1, 12);
  });
  it('AP of a perfect ranking is 1, and NaN without positives', () => {
    expect(averagePrecision([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.2])).toBe(1);
    expect(averagePrecision([0, 0], [1, 2])).toBeNaN();
  });
});
