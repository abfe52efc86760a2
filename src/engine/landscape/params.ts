/**
 * Parameter-space algebra for loss landscapes. A {@link ParamSet} is a map from normalised parameter
 * names to device tensors (PyTorch layouts: a Linear weight is [out, in]). Everything here stays on
 * the device: directions are differences of device tensors, inner products are reduced on the device
 * and only the per-tensor partial sums (one scalar per tensor) are read back, and a landscape point is
 * ONE fused update θ0 + Σ c_k·d_k per tensor inside a `tf.tidy` — weights never travel through JS arrays.
 *
 * Ownership: functions that return a ParamSet return new tensors the caller owns (dispose with
 * {@link disposeParamSet}); inputs are never disposed.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../util/errors';

/** Normalised parameter name → device tensor. */
export type ParamSet = Map<string, tf.Tensor>;

/** A host-side tensor as checkpoints hold them (row-major Float32). */
export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

/**
 * Uploads the named host tensors to the device (all of `tensors` when `names` is omitted).
 * @throws InputError when a requested name is missing.
 */
export function uploadParams(
  tensors: ReadonlyMap<string, HostTensor>,
  names?: Iterable<string>,
  source = 'checkpoint',
): ParamSet {
  const out: ParamSet = new Map();
  for (const name of names ?? tensors.keys()) {
    const t = tensors.get(name);
    if (!t) {
      disposeParamSet(out);
      throw new InputError(`${source}: tensor ${name} is missing`);
    }
    out.set(name, tf.tensor(t.data, t.shape, 'float32'));
  }
  return out;
}

/** Disposes every tensor of a set and clears it. */
export function disposeParamSet(set: ParamSet): void {
  for (const t of set.values()) t.dispose();
  set.clear();
}

/** Total number of scalars in a set. */
export function countParams(set: ReadonlyMap<string, tf.Tensor>): number {
  let n = 0;
  for (const t of set.values()) n += t.size;
  return n;
}

/** Bytes of device memory the set occupies (float32). */
export function paramBytes(set: ReadonlyMap<string, tf.Tensor>): number {
  return countParams(set) * 4;
}

/** Names of `set` in the canonical (sorted) order used for seeded generation and reductions. */
export function sortedNames(set: ReadonlyMap<string, unknown>): string[] {
  return [...set.keys()].sort();
}

/** a − b over `names` (default: the keys of `a`). New tensors, owned by the caller. */
export function subtract(
  a: ReadonlyMap<string, tf.Tensor>,
  b: ReadonlyMap<string, tf.Tensor>,
  names: Iterable<string> = a.keys(),
): ParamSet {
  const out: ParamSet = new Map();
  for (const name of names) {
    const x = need(a, name, 'first operand');
    const y = need(b, name, 'second operand');
    out.set(name, tf.sub(x, y));
  }
  return out;
}

/**
 * The fused point update: for every name, base + Σ_k coeffs[k]·dirs[k] in one tidy per tensor.
 * Directions missing a name contribute zero (e.g. a layer-restricted direction).
 * @returns new tensors the caller owns (typically handed to `model.assignParams` and then disposed).
 */
export function combine(
  base: ReadonlyMap<string, tf.Tensor>,
  dirs: readonly ReadonlyMap<string, tf.Tensor>[],
  coeffs: readonly number[],
  names: Iterable<string> = base.keys(),
  subsets?: ReadonlyMap<string, RowSubset>,
): ParamSet {
  if (dirs.length !== coeffs.length)
    throw new Error(`combine: ${dirs.length} directions but ${coeffs.length} coefficients`);
  const out: ParamSet = new Map();
  // One scalar per coefficient for the whole point (not one per tensor).
  const scalars = coeffs.map((c) => tf.scalar(c, 'float32'));
  try {
    for (const name of names) {
      const b = need(base, name, 'base');
      const sub = subsets?.get(name);
      out.set(
        name,
        tf.tidy(() => {
          if (sub) {
            if (sub.dirs.length !== dirs.length)
              throw new Error(
                `row subset of ${name} was prepared for ${sub.dirs.length} directions, not ${dirs.length}`,
              );
            let rows: tf.Tensor = sub.base;
            sub.dirs.forEach((d, k) => {
              if (d && coeffs[k] !== 0) rows = tf.add(rows, tf.mul(d, scalars[k]));
            });
            return tf.scatterND(sub.indices, rows, sub.shape);
          }
          let acc: tf.Tensor = b;
          for (let k = 0; k < dirs.length; k++) {
            const d = dirs[k].get(name);
            if (!d || coeffs[k] === 0) continue;
            acc = tf.add(acc, tf.mul(d, scalars[k]));
          }
          // A fresh tensor even when no direction contributed, so ownership is uniform.
          return acc === b ? tf.clone(b) : acc;
        }),
      );
    }
  } catch (err) {
    disposeParamSet(out);
    throw err;
  } finally {
    for (const s of scalars) s.dispose();
  }
  return out;
}

/**
 * The rows of one matrix that matter for the loss (e.g. the word embeddings of the tokens the fixed
 * examples use), pre-gathered from the base and each direction. With it, {@link combine} computes only
 * those rows (r × H instead of V × H per direction) and scatters them into a zero matrix: rows no example
 * looks up are irrelevant to the loss and are set to 0. Device tensors owned by the subset.
 */
export interface RowSubset {
  name: string;
  shape: number[];
  /** [r, 1] int32 row indices. */
  indices: tf.Tensor2D;
  base: tf.Tensor;
  /** Per direction, its gathered rows (null where the direction lacks the tensor). */
  dirs: (tf.Tensor | null)[];
}

/** Gathers `rows` (sorted, unique) of `name` from the base and every direction. */
export function prepareRowSubset(
  name: string,
  rows: Int32Array,
  base: ReadonlyMap<string, tf.Tensor>,
  dirs: readonly ReadonlyMap<string, tf.Tensor>[],
): RowSubset {
  const b = need(base, name, 'base');
  const ids = tf.tensor1d(rows, 'int32');
  try {
    return {
      name,
      shape: b.shape,
      indices: tf.reshape(ids, [rows.length, 1]),
      base: tf.gather(b, ids),
      dirs: dirs.map((d) => (d.get(name) ? tf.gather(d.get(name)!, ids) : null)),
    };
  } finally {
    ids.dispose();
  }
}

/** Frees a row subset's tensors. */
export function disposeRowSubset(s: RowSubset): void {
  s.indices.dispose();
  s.base.dispose();
  for (const d of s.dirs) d?.dispose();
}

/**
 * Inner products ⟨a_p, b_q⟩ for several pairs over `names`, reduced on the device; one read-back of
 * (pairs × tensors) float32 partial sums, accumulated in float64 on the host.
 */
export async function dots(
  pairs: readonly [ReadonlyMap<string, tf.Tensor>, ReadonlyMap<string, tf.Tensor>][],
  names: readonly string[],
): Promise<number[]> {
  if (pairs.length === 0) return [];
  if (names.length === 0) return pairs.map(() => 0);
  const partial = tf.tidy(() => {
    const sums: tf.Tensor[] = [];
    for (const [a, b] of pairs) {
      for (const name of names) sums.push(tf.sum(tf.mul(need(a, name, 'dot operand'), need(b, name, 'dot operand'))));
    }
    return tf.stack(sums);
  });
  const values = await partial.data();
  partial.dispose();
  const out: number[] = [];
  for (let p = 0; p < pairs.length; p++) {
    let s = 0;
    for (let k = 0; k < names.length; k++) s += values[p * names.length + k];
    out.push(s);
  }
  return out;
}

/** ⟨a, b⟩ over `names`. */
export async function dot(
  a: ReadonlyMap<string, tf.Tensor>,
  b: ReadonlyMap<string, tf.Tensor>,
  names: readonly string[],
): Promise<number> {
  return (await dots([[a, b]], names))[0];
}

/** ‖a‖₂ over `names`. */
export async function norm(a: ReadonlyMap<string, tf.Tensor>, names: readonly string[]): Promise<number> {
  return Math.sqrt(Math.max(0, await dot(a, a, names)));
}

/** cos(a, b) over `names` (NaN when either has zero norm). */
export async function cosine(
  a: ReadonlyMap<string, tf.Tensor>,
  b: ReadonlyMap<string, tf.Tensor>,
  names: readonly string[],
): Promise<number> {
  const [ab, aa, bb] = await dots(
    [
      [a, b],
      [a, a],
      [b, b],
    ],
    names,
  );
  const d = Math.sqrt(aa) * Math.sqrt(bb);
  return d > 0 ? ab / d : Number.NaN;
}

function need(set: ReadonlyMap<string, tf.Tensor>, name: string, what: string): tf.Tensor {
  const t = set.get(name);
  if (!t) throw new Error(`parameter ${name} is missing from the ${what}`);
  return t;
}
