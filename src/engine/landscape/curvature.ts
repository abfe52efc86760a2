/**
 * Hessian spectrum algorithms over a Hessian-vector product (PyHessian, Yao et al. 2020), for any
 * symmetric operator given as `apply(v) = H·v` on vectors of device tensors (curvatureVec.ts):
 *
 * - **Top-K eigenvalues** by power iteration with deflation, exactly PyHessian's `eigenvalues`: for
 *   k = 1..K, start from a seeded Gaussian vector, repeat {orthogonalise against the eigenvectors found
 *   so far, normalise, Hv, λ = vᵀHv, v = Hv/‖Hv‖} until |λ − λ_prev| / (|λ_prev| + 1e-6) < tol or
 *   `iters` products. Power iteration converges to the eigenvalue of largest *magnitude* in the
 *   complement, so the K are the largest in magnitude (with sign).
 * - **Trace** by Hutchinson's estimator: the mean of vᵀHv over M seeded Rademacher vectors, with its
 *   standard error s/√M (s the sample standard deviation).
 * - **Spectral density** by stochastic Lanczos quadrature (Ghorbani et al. 2019; PyHessian's
 *   `density`): for each of `vectors` seeded Rademacher vectors, `steps` Lanczos steps with full
 *   reorthogonalisation give a tridiagonal T; its eigenvalues are the nodes and the squared first
 *   components of its eigenvectors the weights; the density is the node/weight mixture averaged over the
 *   vectors and smoothed by a Gaussian of σ = 1 % of the node range (at least 1e-6), on a grid of
 *   `bins` points over [min node − 5σ, max node + 5σ], normalised so it integrates to 1.
 *
 * Cost: one H·v per iteration/sample/step. Memory: the K eigenvectors and (density) `steps` Lanczos
 * vectors, each parameter-sized. Cancel is checked by the operator between batches.
 */
import * as tf from '@tensorflow/tfjs-core';
import { symmetricEigen } from './pca';
import { randomVec, vdot, vnorm, vnormalize, vorthogonalize, vscale, type Vec } from './curvatureVec';

export interface HessianOperator {
  /** Shapes of the vector's tensors (the parameters'). */
  shapes: number[][];
  /** H·v: new tensors the caller owns. */
  apply(v: readonly tf.Tensor[]): Promise<Vec>;
  /** Parameters the operator acts on (vectors are zero elsewhere), for random vectors; default all. */
  mask?: readonly boolean[];
}

/** Called after each H·v with the stage's count so far. */
export type StepHook = (done: number) => void;

/** PyHessian's top-K eigenvalues (see the header); `seed` seeds the k-th start vector as seed + k. */
export async function topEigenvalues(
  op: HessianOperator,
  k: number,
  opts: { iters: number; tol: number; seed: number; onStep?: StepHook },
): Promise<{ values: number[]; iterations: number[] }> {
  const vectors: Vec[] = [];
  const values: number[] = [];
  const iterations: number[] = [];
  let steps = 0;
  try {
    for (let j = 0; j < k; j++) {
      let v = randomVec(op.shapes, opts.seed + j, 'gaussian', op.mask);
      let lambda: number | null = null;
      let it = 0;
      try {
        for (it = 1; it <= opts.iters; it++) {
          const o = await vorthogonalize(v, vectors);
          tf.dispose(v);
          v = await vnormalize(o);
          tf.dispose(o);
          const hv = await op.apply(v);
          const cur = await vdot(hv, v);
          tf.dispose(v);
          v = await vnormalize(hv);
          tf.dispose(hv);
          opts.onStep?.(++steps);
          const prev: number | null = lambda;
          lambda = cur;
          if (prev !== null && Math.abs(prev - cur) / (Math.abs(prev) + 1e-6) < opts.tol) break;
        }
      } catch (err) {
        tf.dispose(v);
        throw err;
      }
      values.push(lambda ?? 0);
      iterations.push(Math.min(it, opts.iters));
      vectors.push(v);
    }
  } finally {
    for (const v of vectors) tf.dispose(v);
  }
  return { values, iterations };
}

export interface TraceEstimate {
  estimate: number;
  /** Standard error of the mean, s/√M. */
  stderr: number;
  samples: number;
}

/** Hutchinson's trace with `samples` Rademacher vectors (sample i seeded seed + i). */
export async function hutchinsonTrace(
  op: HessianOperator,
  samples: number,
  opts: { seed: number; onStep?: StepHook },
): Promise<TraceEstimate> {
  const xs: number[] = [];
  for (let i = 0; i < samples; i++) {
    const v = randomVec(op.shapes, opts.seed + i, 'rademacher', op.mask);
    try {
      const hv = await op.apply(v);
      xs.push(await vdot(hv, v));
      tf.dispose(hv);
    } finally {
      tf.dispose(v);
    }
    opts.onStep?.(i + 1);
  }
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const s2 = xs.length > 1 ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1) : NaN;
  return { estimate: mean, stderr: Math.sqrt(s2 / xs.length), samples: xs.length };
}

export interface SpectralDensity {
  /** Grid points (eigenvalue axis). */
  grid: number[];
  /** Density at each grid point (integrates to 1 over the grid). */
  values: number[];
  vectors: number;
  steps: number;
  /** Lanczos nodes and weights per vector (for exact plots). */
  nodes: { values: number[]; weights: number[] }[];
}

/** Lanczos with full reorthogonalisation from `v0` (unit): the tridiagonal's nodes and weights. */
async function lanczos(
  op: HessianOperator,
  v0: Vec,
  steps: number,
  onStep: () => void,
): Promise<{ values: number[]; weights: number[] }> {
  const basis: Vec[] = [v0.map((t) => tf.keep(t.clone()))];
  const alpha: number[] = [];
  const beta: number[] = [];
  try {
    for (let i = 0; i < steps; i++) {
      const w0 = await op.apply(basis[i]);
      onStep();
      const a = await vdot(w0, basis[i]);
      alpha.push(a);
      const w1 = await vorthogonalize(w0, basis); // full reorthogonalisation (includes −a·v_i − b·v_{i−1})
      tf.dispose(w0);
      const b = await vnorm(w1);
      if (i === steps - 1 || b < 1e-10) {
        tf.dispose(w1);
        break;
      }
      beta.push(b);
      basis.push(vscale(w1, 1 / b));
      tf.dispose(w1);
    }
  } finally {
    for (const v of basis) tf.dispose(v);
  }
  const m = alpha.length;
  const T = Array.from({ length: m }, (_, i) =>
    Array.from({ length: m }, (_, j) => (i === j ? alpha[i] : Math.abs(i - j) === 1 ? beta[Math.min(i, j)] : 0)),
  );
  const eig = symmetricEigen(T);
  return { values: eig.values, weights: eig.vectors[0].map((x) => x * x) };
}

/** Stochastic Lanczos quadrature density (see the header). */
export async function slqDensity(
  op: HessianOperator,
  opts: { vectors: number; steps: number; bins: number; seed: number; onStep?: StepHook },
): Promise<SpectralDensity> {
  const nodes: { values: number[]; weights: number[] }[] = [];
  let done = 0;
  for (let r = 0; r < opts.vectors; r++) {
    const raw = randomVec(op.shapes, opts.seed + r, 'rademacher', op.mask);
    const v0 = await vnormalize(raw);
    tf.dispose(raw);
    try {
      nodes.push(await lanczos(op, v0, opts.steps, () => opts.onStep?.(++done)));
    } finally {
      tf.dispose(v0);
    }
  }
  const all = nodes.flatMap((n) => n.values);
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const sigma = Math.max(1e-6, 0.01 * (hi - lo));
  const g0 = lo - 5 * sigma;
  const g1 = hi + 5 * sigma;
  const grid = Array.from({ length: opts.bins }, (_, i) => g0 + ((g1 - g0) * i) / (opts.bins - 1));
  const values = grid.map((x) => {
    let s = 0;
    for (const n of nodes)
      n.values.forEach((l, i) => (s += n.weights[i] * Math.exp(-((x - l) ** 2) / (2 * sigma * sigma))));
    return s / nodes.length / (sigma * Math.sqrt(2 * Math.PI));
  });
  const dx = (g1 - g0) / (opts.bins - 1);
  const area = values.reduce((a, b) => a + b, 0) * dx;
  return { grid, values: values.map((v) => v / area), vectors: opts.vectors, steps: opts.steps, nodes };
}

/** An operator restricted to the diagonal block of the tensors in `mask`: v and H·v are zero elsewhere. */
export function blockOperator(op: HessianOperator, mask: readonly boolean[]): HessianOperator {
  return {
    shapes: op.shapes,
    mask,
    async apply(v) {
      const hv = await op.apply(v);
      return hv.map((t, i) => {
        if (mask[i]) return t;
        const z = tf.keep(tf.zerosLike(t));
        t.dispose();
        return z;
      });
    },
  };
}

/** The block a parameter belongs to: embeddings, layer.l, pooler or classifier. */
export function groupOf(name: string): string {
  if (name.startsWith('embeddings.')) return 'embeddings';
  const m = /^encoder\.layer\.(\d+)\./.exec(name);
  if (m) return `layer.${m[1]}`;
  return name.startsWith('pooler.') ? 'pooler' : 'classifier';
}
