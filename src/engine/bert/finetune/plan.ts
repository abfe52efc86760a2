/**
 * What a fine-tuning run does, decided before it starts: the total number of updates, the order of the
 * examples, which examples each micro-batch of each update takes, the seed of every dropout mask, and
 * the classifier head for an origin without one (as HF initialises it). Pure and deterministic, so a
 * resumed run recomputes exactly the same plan and continues bit-for-bit.
 *
 * Data order: the examples in epochs, each epoch a seeded permutation (or file order without
 * shuffling), cut into micro-batches of B (the last of an epoch may be smaller, as a PyTorch DataLoader
 * without drop_last); update t takes micro-batches (t − 1)·N … t·N − 1 of that stream (N = accumulate).
 * With the defaults T = ceil(epochs · ceil(n / B) / N), as Trainer's max_steps for whole epochs.
 */
import { gaussian, mulberry32, seededPermutation } from '../../util/random';
import type { Dropout } from '../gradForward';

export interface PlanOptions {
  examples: number;
  batch: number;
  accumulate: number;
  /** Total updates; else from `epochs`. */
  steps?: number;
  epochs: number;
  shuffle: boolean;
  seed: number;
}

/** Total updates T of a run. */
export function totalSteps(o: PlanOptions): number {
  if (o.steps !== undefined) return o.steps;
  const perEpoch = Math.ceil(o.examples / o.batch);
  return Math.max(1, Math.ceil((o.epochs * perEpoch) / o.accumulate));
}

/** 32-bit mix of integers (splitmix-like), for per-epoch, per-step and per-site seeds. */
export function mixSeed(...xs: number[]): number {
  let h = 0x9e3779b9;
  for (const x of xs) {
    h = Math.imul(h ^ (x >>> 0), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** The last epoch order computed (one per epoch, not one per micro-batch: O(n) once per epoch). */
let lastOrder: { examples: number; seed: number; epoch: number; order: Int32Array } | null = null;

/** The example order of `epoch` (a seeded permutation of 0…n−1), cached for the epoch's micro-batches. */
export function epochOrder(examples: number, seed: number, epoch: number): Int32Array {
  const c = lastOrder;
  if (c && c.examples === examples && c.seed === seed && c.epoch === epoch) return c.order;
  const order = seededPermutation(examples, mixSeed(seed, epoch, 0x5a1e));
  lastOrder = { examples, seed, epoch, order };
  return order;
}

/** Example indices of micro-batch `k` (0-based, over the whole run's stream). */
export function microBatch(o: PlanOptions, k: number): number[] {
  const perEpoch = Math.ceil(o.examples / o.batch);
  const epoch = Math.floor(k / perEpoch);
  const j = k % perEpoch;
  const order = o.shuffle ? epochOrder(o.examples, o.seed, epoch) : null;
  const out: number[] = [];
  for (let i = j * o.batch; i < Math.min(o.examples, (j + 1) * o.batch); i++) out.push(order ? order[i] : i);
  return out;
}

/** The dropout of micro-batch `micro` of update `step`: seeds from (seed, step, micro, site), or undefined when all rates are 0. */
export function dropoutFor(
  rates: { hidden: number; attention: number; classifier: number },
  seed: number,
  step: number,
  micro: number,
): Dropout | undefined {
  if (rates.hidden <= 0 && rates.attention <= 0 && rates.classifier <= 0) return undefined;
  let site = 0;
  return { ...rates, nextSeed: () => mixSeed(seed, step, micro, site++) };
}

/**
 * HF's initialisation of a Linear layer [out, in] (normal, mean 0, std = initializer_range; bias 0),
 * from a seeded generator (mulberry32 + Box–Muller, float64 rounded to float32).
 */
export function initLinear(
  out: number,
  inp: number,
  std: number,
  seed: number,
): { weight: Float32Array; bias: Float32Array } {
  const g = gaussian(mulberry32(seed));
  const weight = new Float32Array(out * inp);
  for (let i = 0; i < weight.length; i++) weight[i] = std * g();
  return { weight, bias: new Float32Array(out) };
}
