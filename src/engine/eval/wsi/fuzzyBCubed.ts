/**
 * Fuzzy B-cubed (Jurgens & Klapaftis 2013), ported from the SemEval-2013 Task 13 `fuzzy-bcubed.jar`
 * (edu.ucla.clustercomparison.FuzzyBCubed as distributed with the task). Per term: precision
 * averages, over gold instances, min(gold, test agreement)/gold agreement with every other instance
 * sharing a gold sense; recall does the same over the system's instances (all of them, as in the
 * jar) with the roles swapped; both are divided by the number of gold instances. Agreement of two
 * instances = Σ over shared labels of 1 − |w₁ − w₂|. Totals average P and R over the gold terms
 * (0 for a term the system did not label) and F = 2PR/(P+R).
 */
import type { GradedKey } from './gradedKey';

type Ratings = Map<string, number>;

/** Precision, recall and F of one term or of a whole key. */
export interface BCubedScore {
  precision: number;
  recall: number;
  fScore: number;
}

/** Each instance's ratings as a dense row over the term's senses, NaN where the label is absent. */
function denseRows(ids: string[], ratings: Map<string, Ratings>): { rows: Float64Array[]; width: number } {
  const senseIndex = new Map<string, number>();
  for (const r of ratings.values())
    for (const s of r.keys()) if (!senseIndex.has(s)) senseIndex.set(s, senseIndex.size);
  const width = senseIndex.size;
  const rows = ids.map((id) => {
    const row = new Float64Array(width).fill(NaN);
    const r = ratings.get(id);
    if (r) for (const [s, w] of r) row[senseIndex.get(s) as number] = w;
    return row;
  });
  return { rows, width };
}

/** Σ over labels both carry of 1 − |w₁ − w₂| (0 when they share none). */
function agreement(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) {
    const x = a[k];
    const y = b[k];
    if (x === x && y === y) s += 1 - Math.abs(x - y);
  }
  return s;
}

function shares(a: Float64Array, b: Float64Array): boolean {
  for (let k = 0; k < a.length; k++) if (a[k] === a[k] && b[k] === b[k]) return true;
  return false;
}

function f(p: number, r: number): number {
  return p + r > 0 ? (2 * p * r) / (p + r) : 0;
}

/**
 * One direction of fuzzy B-cubed: for each `from` instance i that carries a label, the mean over
 * other `from` instances j sharing a `by` label of min(A_by, A_other)/A_by (pairs with A_by = 0
 * count with 0), summed over i.
 */
function direction(by: Float64Array[], other: Float64Array[], carries: boolean[]): number {
  let total = 0;
  for (let i = 0; i < by.length; i++) {
    if (!carries[i]) continue;
    let sum = 0;
    let count = 0;
    for (let j = 0; j < by.length; j++) {
      if (i === j || !shares(by[i], by[j])) continue;
      const a = agreement(by[i], by[j]);
      const b = agreement(other[i], other[j]);
      if (a > 0) sum += Math.min(a, b) / a;
      count++;
    }
    total += count === 0 ? 0 : sum / count;
  }
  return total;
}

/** Fuzzy B-cubed of one term's instances (gold and system ratings keyed by instance id). */
export function fuzzyBCubedTerm(gold: Map<string, Ratings>, test: Map<string, Ratings>): BCubedScore {
  // Precision runs over the gold instances, recall over the system's (the jar does not drop
  // system instances that are missing from the gold key); both are divided by |gold|.
  const goldIds = [...gold.keys()];
  const testIds = [...test.keys()];
  const gp = denseRows(goldIds, gold);
  const tp = denseRows(goldIds, test);
  const precisionSum = direction(
    gp.rows,
    tp.rows,
    goldIds.map(() => true),
  );
  const tr = denseRows(testIds, test);
  const gr = denseRows(testIds, gold);
  const recallSum = direction(
    tr.rows,
    gr.rows,
    testIds.map((id) => (test.get(id) as Ratings).size > 0),
  );
  const precision = precisionSum / gold.size;
  const recall = recallSum / gold.size;
  return { precision, recall, fScore: f(precision, recall) };
}

/** Fuzzy B-cubed of a system key against a gold key: totals and per-term scores. */
export function fuzzyBCubed(gold: GradedKey, test: GradedKey): BCubedScore & { terms: Map<string, BCubedScore> } {
  const terms = new Map<string, BCubedScore>();
  let p = 0;
  let r = 0;
  for (const [term, g] of gold) {
    const t = test.get(term);
    const s = t ? fuzzyBCubedTerm(g, t) : { precision: 0, recall: 0, fScore: 0 };
    terms.set(term, s);
    p += s.precision;
    r += s.recall;
  }
  const precision = p / terms.size;
  const recall = r / terms.size;
  return { precision, recall, fScore: f(precision, recall), terms };
}
