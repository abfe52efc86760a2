/**
 * Fuzzy normalized mutual information (Jurgens & Klapaftis 2013; the fuzzy extension of
 * Lancichinetti et al. 2009), ported from the SemEval-2013 Task 13 `fuzzy-nmi.jar`
 * (edu.ucla.clustercomparison.FuzzyNormalizedMutualInformation as distributed). Per term, each
 * sense is a vector of its weights over all instances of the term (gold ∪ system), discretised
 * into 10 bins of width 0.1 (0 shares the first bin); entropies are log2. H(G|T) sums, over gold
 * senses, the smallest H(g|t) over system senses t that are not "complementary" to g (Eq. B.14),
 * falling back to H(g); H(T|G) likewise. NMI = ½(H(G) − H(G|T) + H(T) − H(T|G)) / max(H(G), H(T)).
 * The total is the mean over gold terms (0 for a term the system did not label); a term with
 * H(G) = H(T) = 0 gives NaN, as in the jar.
 */
import type { GradedKey } from './gradedKey';
import { InputError } from '../../util/errors';

const BINS = 10;

function bin(x: number): number {
  for (let i = 1; i <= BINS; i++) if (x <= i / BINS) return i - 1;
  return BINS - 1;
}

function log2(x: number): number {
  return Math.log(x) / Math.log(2);
}

function entropy(x: Float64Array): number {
  const counts = new Array<number>(BINS).fill(0);
  for (let i = 0; i < x.length; i++) counts[bin(x[i])]++;
  let h = 0;
  for (const c of counts)
    if (c > 0) {
      const p = c / x.length;
      h += p * log2(p);
    }
  return -h;
}

/** H(X|Y) = H(X,Y) − H(Y) on the binned values. */
function conditionalEntropy(x: Float64Array, y: Float64Array): number {
  const counts = new Array<number>(BINS * BINS).fill(0);
  for (let i = 0; i < x.length; i++) counts[bin(x[i]) * BINS + bin(y[i])]++;
  let h = 0;
  for (const c of counts)
    if (c > 0) {
      const p = c / x.length;
      h += p * log2(p);
    }
  return -h - entropy(y);
}

function hh(d: number): number {
  return d === 0 ? 0 : -d * Math.log(d);
}

/** True when X and Y carry more information as complements than as matches (skip the pair). */
function skip(x: Float64Array, y: Float64Array): boolean {
  let pp = 0;
  let pm = 0;
  let mp = 0;
  let mm = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    const b = y[i];
    if (a > 0 && b > 0) pp++;
    else if (a > 0 && b === 0) pm++;
    else if (a === 0 && b > 0) mp++;
    else if (a === 0 && b === 0) mm++;
    else throw new InputError(`fuzzy NMI: sense weights must be ≥ 0, got ${a} and ${b}`);
  }
  const n = x.length;
  return hh(pp / n) + hh(mm / n) < hh(pm / n) + hh(mp / n);
}

function senseVectors(
  ratings: Map<string, Map<string, number>>,
  index: Map<string, number>,
): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  for (const [inst, senses] of ratings)
    for (const [s, w] of senses) {
      let v = out.get(s);
      if (!v) out.set(s, (v = new Float64Array(index.size)));
      v[index.get(inst) as number] = w;
    }
  return out;
}

/** Fuzzy NMI of one term's instances. */
export function fuzzyNmiTerm(gold: Map<string, Map<string, number>>, test: Map<string, Map<string, number>>): number {
  const index = new Map<string, number>();
  for (const id of gold.keys()) if (!index.has(id)) index.set(id, index.size);
  for (const id of test.keys()) if (!index.has(id)) index.set(id, index.size);
  const g = [...senseVectors(gold, index).values()];
  const t = [...senseVectors(test, index).values()];
  let hG = 0;
  let hT = 0;
  for (const v of t) hT += entropy(v);
  for (const v of g) hG += entropy(v);
  const conditional = (xs: Float64Array[], ys: Float64Array[]): number => {
    let total = 0;
    for (const x of xs) {
      let best = Number.MAX_VALUE;
      for (const y of ys) {
        if (skip(x, y)) continue;
        const h = conditionalEntropy(x, y);
        if (h < best) best = h;
      }
      total += best === Number.MAX_VALUE ? entropy(x) : best;
    }
    return total;
  };
  const hGT = conditional(g, t);
  const hTG = conditional(t, g);
  return (0.5 * (hG - hGT + hT - hTG)) / Math.max(hG, hT);
}

/** Fuzzy NMI of a system key against a gold key: the mean over gold terms and per-term values. */
export function fuzzyNmi(gold: GradedKey, test: GradedKey): { nmi: number; terms: Map<string, number> } {
  const terms = new Map<string, number>();
  let sum = 0;
  for (const [term, g] of gold) {
    const t = test.get(term);
    const v = t ? fuzzyNmiTerm(g, t) : 0;
    terms.set(term, v);
    sum += v;
  }
  return { nmi: sum / terms.size, terms };
}
