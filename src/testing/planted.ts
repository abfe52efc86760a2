/**
 * Counts drawn from Word2Sense's generative process with known senses (as
 * ../shared/bench/planted_lda.py): β_k ~ Dir(b), θ_w ~ Dir(a), then for each of n_w tokens of word
 * w a sense z ~ θ_w and a context c ~ β_z. Seeded; for tests and demos.
 */
import { fromTriples, type CsrCounts } from '../engine/text/csr';
import { gaussian, mulberry32 } from '../engine/util/random';

function gammaDraw(shape: number, uniform: () => number, normal: () => number): number {
  if (shape < 1) return gammaDraw(shape + 1, uniform, normal) * Math.pow(uniform() || 1e-300, 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal();
    let v = 1 + c * x;
    if (v <= 0) continue;
    v = v * v * v;
    if (Math.log(uniform() || 1e-300) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** A Dirichlet(conc·1) draw of length n. */
export function dirichlet(n: number, conc: number, uniform: () => number, normal: () => number): Float64Array {
  const out = new Float64Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) s += out[i] = gammaDraw(conc, uniform, normal) + 1e-300;
  for (let i = 0; i < n; i++) out[i] /= s;
  return out;
}

function sample(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface Planted {
  beta: Float64Array[]; // K rows over V
  theta: Float64Array[]; // V rows over K
  counts: CsrCounts;
}

/** Draws a planted model and its counts (`tokensPerWord` tokens per row). */
export function plantedCounts(
  V: number,
  K: number,
  tokensPerWord: number,
  seed: number,
  betaConc = 0.03,
  thetaConc = 0.15,
): Planted {
  const uniform = mulberry32(seed);
  const normal = gaussian(uniform);
  const beta = Array.from({ length: K }, () => dirichlet(V, betaConc, uniform, normal));
  const theta = Array.from({ length: V }, () => dirichlet(K, thetaConc, uniform, normal));
  const cdf = (p: Float64Array) => {
    const c = new Float64Array(p.length);
    let s = 0;
    p.forEach((x, i) => (c[i] = s += x));
    c[c.length - 1] = Infinity;
    return c;
  };
  const betaCdf = beta.map(cdf);
  const r: number[] = [];
  const c: number[] = [];
  for (let w = 0; w < V; w++) {
    const tc = cdf(theta[w]);
    for (let t = 0; t < tokensPerWord; t++) {
      const z = sample(tc, uniform());
      r.push(w);
      c.push(sample(betaCdf[z], uniform()));
    }
  }
  return { beta, theta, counts: fromTriples(V, V, r, c, new Float64Array(r.length).fill(1)) };
}
