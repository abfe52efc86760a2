/**
 * Sharpness measures of one model at its parameters θ (issue 16), besides the Hessian's:
 *
 * - **ε-sharpness** (Keskar et al. 2017): the largest rise of the mean loss within the L∞ box
 *   |δ_i| ≤ ε·(|θ_i| + 1), found by `steps` steps of projected sign-gradient ascent from δ = 0:
 *   δ ← clip(δ + (ε/2)·(|θ| + 1)·sign(∇L(θ + δ)), box). Reported as the raw rise max L(θ + δ) − L(θ) over
 *   the visited points (Keskar's normalised figure is 100·rise/(1 + L(θ))). Gradients by grad.ts.
 * - **Random-direction rise**: the mean of L(θ + r·d) − L(θ) over `directions` seeded Gaussian
 *   directions d, filter-normalised with biases and LayerNorm zeroed (Li et al. 2018; directions.ts) —
 *   the landscape pictures' own axes at distance r. Losses by the fast forward (model.evaluate).
 *
 * Both leave the model's parameters as they found them.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { EncodedBatch } from '../bert/data';
import { gradient, type GradientFn } from '../bert/grad';
import type { BertClassifier } from '../bert/model';
import type { CancelToken } from '../util/cancel';
import { randomDirection } from './directions';

/** Copies of the model's current parameters (kept; caller disposes). */
function snapshot(model: BertClassifier): Map<string, tf.Tensor> {
  return new Map([...model.params].map(([n, t]) => [n, tf.keep(t.clone())]));
}

/** ε-sharpness (see the header): the raw rise and the loss at θ. */
export async function epsilonSharpness(
  model: BertClassifier,
  batches: readonly EncodedBatch[],
  opts: {
    epsilon: number;
    steps: number;
    token?: CancelToken;
    onStep?: (done: number) => void;
    /** The gradient function (default grad.ts's, in this thread). */
    gradient?: GradientFn;
  },
): Promise<{ rise: number; loss: number }> {
  const theta = snapshot(model);
  const names = [...theta.keys()];
  const base = names.map((n) => theta.get(n)!);
  const box = base.map((t) => tf.keep(tf.tidy(() => tf.mul(tf.add(tf.abs(t), 1), opts.epsilon))));
  let delta = base.map((t) => tf.keep(tf.zerosLike(t)));
  let loss0 = NaN;
  let best = -Infinity;
  try {
    for (let s = 0; s <= opts.steps; s++) {
      const at = base.map((t, i) => tf.keep(tf.add(t, delta[i])));
      const g = await (opts.gradient ?? gradient)({ config: model.config, names, tensors: at }, batches, {
        token: opts.token,
      });
      tf.dispose(at);
      if (s === 0) loss0 = g.loss;
      best = Math.max(best, g.loss);
      if (s < opts.steps) {
        const next = delta.map((d, i) =>
          tf.keep(
            tf.tidy(() =>
              tf.minimum(
                tf.maximum(tf.add(d, tf.mul(tf.sign(g.grads[i]), tf.mul(box[i], 0.5))), tf.neg(box[i])),
                box[i],
              ),
            ),
          ),
        );
        tf.dispose(delta);
        delta = next;
      }
      tf.dispose(g.grads);
      opts.onStep?.(s + 1);
    }
  } finally {
    tf.dispose([...delta, ...box, ...base]);
  }
  return { rise: best - loss0, loss: loss0 };
}

/** Mean loss rise at distance `radius` along `directions` filter-normalised random directions. */
export async function randomDirectionRise(
  model: BertClassifier,
  batches: readonly EncodedBatch[],
  opts: { radius: number; directions: number; seed: number; token?: CancelToken; onStep?: (done: number) => void },
): Promise<{ rise: number; loss: number; rises: number[] }> {
  const theta = snapshot(model);
  const rises: number[] = [];
  try {
    const loss0 = (await model.evaluate([...batches], { token: opts.token })).loss;
    for (let k = 0; k < opts.directions; k++) {
      const d = randomDirection(theta, { seed: opts.seed + k, normalize: 'filter', ignore: 'bias-ln' });
      const moved = new Map(
        [...theta].map(([n, t]) => [n, tf.keep(tf.tidy(() => tf.add(t, tf.mul(d.get(n)!, opts.radius))))]),
      );
      tf.dispose([...d.values()]);
      model.assignParams(moved);
      tf.dispose([...moved.values()]);
      rises.push((await model.evaluate([...batches], { token: opts.token })).loss - loss0);
      opts.onStep?.(k + 1);
    }
    return { rise: rises.reduce((a, b) => a + b, 0) / rises.length, loss: loss0, rises };
  } finally {
    model.assignParams(theta);
    tf.dispose([...theta.values()]);
  }
}
