/**
 * Special functions the variational updates need, as tfjs ops (tfjs has no digamma), plus a seeded
 * Gamma sampler for initialisation (sklearn initialises λ from Gamma(100, 1/100)).
 */
import * as tf from '@tensorflow/tfjs-core';
import { gaussian, mulberry32 } from '../util/random';

/**
 * Digamma ψ(x) for x > 0, elementwise: recurrence ψ(x) = ψ(x+6) − Σ_{i<6} 1/(x+i), then the
 * asymptotic series at x+6 ≥ 6 (absolute error < 1e-7 in float64, float32-limited on device).
 */
export function digamma(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    let acc = tf.reciprocal(x);
    for (let i = 1; i < 6; i++) acc = tf.add(acc, tf.reciprocal(tf.add(x, i)));
    const y = tf.add(x, 6);
    const inv = tf.reciprocal(y);
    const inv2 = tf.square(inv);
    // log y − 1/(2y) − 1/(12y²) + 1/(120y⁴) − 1/(252y⁶) + 1/(240y⁸) − 1/(132y¹⁰)
    let poly = tf.sub(1 / 240, tf.mul(inv2, 1 / 132));
    poly = tf.sub(1 / 252, tf.mul(inv2, poly));
    poly = tf.sub(1 / 120, tf.mul(inv2, poly));
    poly = tf.sub(1 / 12, tf.mul(inv2, poly));
    const series = tf.sub(tf.sub(tf.log(y), tf.mul(inv, 0.5)), tf.mul(inv2, poly));
    return tf.sub(series, acc);
  });
}

/** Float64 digamma (same method) for CPU-side checks. */
export function digammaScalar(x: number): number {
  let acc = 0;
  while (x < 6) {
    acc += 1 / x;
    x += 1;
  }
  const inv2 = 1 / (x * x);
  const poly = 1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 / 132)));
  return Math.log(x) - 0.5 / x - inv2 * poly - acc;
}

/** `n` draws from Gamma(shape, scale) with shape ≥ 1 (Marsaglia–Tsang), seeded. */
export function gammaSamples(n: number, shape: number, scale: number, seed: number): Float32Array {
  const uniform = mulberry32(seed);
  const normal = gaussian(uniform);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (;;) {
      const x = normal();
      let v = 1 + c * x;
      if (v <= 0) continue;
      v = v * v * v;
      const u = uniform();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
        out[i] = d * v * scale;
        break;
      }
    }
  }
  return out;
}
