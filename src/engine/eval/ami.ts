/**
 * Adjusted mutual information between two labellings, as scikit-learn's
 * `adjusted_mutual_info_score(labels_true, labels_pred)` with its default 'arithmetic' normalisation:
 * AMI = (MI − E[MI]) / (mean(H(U), H(V)) − E[MI]), natural log, E[MI] under the hypergeometric model
 * of random labellings with the same cluster sizes (Vinh, Epps & Bailey 2010; sklearn's
 * `expected_mutual_information`, term by term). Special cases as sklearn: both labellings a single
 * cluster (or empty) → 1; the denominator clamped away from 0 by float64 eps, keeping its sign; a
 * numerator MI − E[MI] within 1e-12 of 0 is taken as 0 (sklearn's is exactly 0 there, ours rounding).
 * Labels may be any strings or numbers; only equality matters.
 */

const EPS = 2.220446049250313e-16;

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error ~1e-15). */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Contingency table of two labellings: row sums a (true classes), column sums b, and the nonzero cells. */
function contingency(u: readonly (string | number)[], v: readonly (string | number)[]) {
  const ids = (labels: readonly (string | number)[]) => {
    const m = new Map<string | number, number>();
    return labels.map((l) => {
      let id = m.get(l);
      if (id === undefined) m.set(l, (id = m.size));
      return id;
    });
  };
  const iu = ids(u);
  const iv = ids(v);
  const R = Math.max(-1, ...iu) + 1;
  const C = Math.max(-1, ...iv) + 1;
  const cells = new Map<number, number>();
  iu.forEach((r, k) => cells.set(r * C + iv[k], (cells.get(r * C + iv[k]) ?? 0) + 1));
  const a = new Float64Array(R);
  const b = new Float64Array(C);
  for (let k = 0; k < iu.length; k++) {
    a[iu[k]]++;
    b[iv[k]]++;
  }
  return { a, b, cells: [...cells].map(([key, n]) => ({ r: Math.floor(key / C), c: key % C, n })) };
}

function entropy(counts: Float64Array): number {
  const pi = [...counts].filter((x) => x > 0);
  if (pi.length <= 1) return 0;
  const s = pi.reduce((x, y) => x + y, 0);
  return -pi.reduce((acc, p) => acc + (p / s) * (Math.log(p) - Math.log(s)), 0);
}

/** Mutual information (nats) from the contingency table, as sklearn's mutual_info_score. */
function mutualInfo(t: ReturnType<typeof contingency>, n: number): number {
  if (t.a.length === 1 || t.b.length === 1) return 0;
  let mi = 0;
  for (const { r, c, n: nij } of t.cells) {
    const p = nij / n;
    const term = p * (Math.log(nij) - Math.log(n)) + p * (-Math.log(t.a[r] * t.b[c]) + Math.log(n) + Math.log(n));
    mi += Math.abs(term) < EPS ? 0 : term;
  }
  return Math.max(0, mi);
}

/** E[MI] under the permutation model (sklearn's expected_mutual_information). */
export function expectedMutualInfo(a: Float64Array, b: Float64Array, n: number): number {
  if (a.length === 1 || b.length === 1) return 0;
  const maxN = Math.max(...a, ...b);
  const glnN = lnGamma(n + 1);
  let emi = 0;
  for (const ai of a)
    for (const bj of b) {
      const start = Math.max(1, ai - n + bj);
      const end = Math.min(ai, bj);
      const base = lnGamma(ai + 1) + lnGamma(bj + 1) + lnGamma(n - ai + 1) + lnGamma(n - bj + 1);
      for (let nij = start; nij <= end && nij <= maxN; nij++) {
        const term2 = Math.log(n) + Math.log(nij) - Math.log(ai) - Math.log(bj);
        const gln =
          base -
          (lnGamma(nij + 1) + glnN) -
          lnGamma(ai - nij + 1) -
          lnGamma(bj - nij + 1) -
          lnGamma(n - ai - bj + nij + 1);
        emi += (nij / n) * term2 * Math.exp(gln);
      }
    }
  return emi;
}

/** sklearn's adjusted_mutual_info_score(u, v) (average_method='arithmetic'). */
export function adjustedMutualInfo(u: readonly (string | number)[], v: readonly (string | number)[]): number {
  if (u.length !== v.length) throw new Error(`labellings differ in length: ${u.length} vs ${v.length}`);
  const n = u.length;
  const t = contingency(u, v);
  if ((t.a.length === 1 && t.b.length === 1) || (t.a.length === 0 && t.b.length === 0)) return 1;
  const mi = mutualInfo(t, n);
  const emi = expectedMutualInfo(t.a, t.b, n);
  const norm = (entropy(t.a) + entropy(t.b)) / 2;
  let den = norm - emi;
  // MI = E[MI] up to rounding (e.g. two identical all-singleton labellings): sklearn's sum is exactly 0 there.
  const num = Math.abs(mi - emi) <= 1e-12 * Math.max(1, mi) ? 0 : mi - emi;
  den = den < 0 ? Math.min(den, -EPS) : Math.max(den, EPS);
  return num / den;
}
