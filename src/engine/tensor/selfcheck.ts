/**
 * Backend self-check and throughput test: a matmul computed on the active backend compared with the
 * typed-array reference, and a cancellable run of repeated matmuls that reports GFLOP/s. These are
 * what the app's System panel and the e2e tests use to show the backend works and cancel is real.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Checkpointer, now, type CancelToken } from '../util/cancel';
import type { ProgressSink } from '../util/progress';
import { uniformArray } from '../util/random';
import { currentBackend } from './backend';
import { matmulReference, maxAbsDiff } from './reference';

/** C = A·B on the active backend, read back asynchronously. A [m,k], B [k,n] row-major; C [m,n]. */
export async function matmulOnBackend(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
): Promise<Float32Array> {
  if (a.length !== m * k || b.length !== k * n)
    throw new Error(`matmul: sizes ${a.length}, ${b.length} do not match [${m},${k}]·[${k},${n}]`);
  const c = tf.tidy(() => tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])));
  try {
    return (await c.data()) as Float32Array;
  } finally {
    c.dispose();
  }
}

export interface SelfCheckResult {
  backend: string;
  size: number;
  /** Largest absolute difference from the float64 reference. */
  maxAbsError: number;
  /** Pass threshold used (absolute). */
  tolerance: number;
  ok: boolean;
  /** Wall time of the backend matmul including upload and readback, ms. */
  ms: number;
}

/** Multiplies two seeded [size,size] matrices with entries in [−1,1) and compares with the reference. */
export async function selfCheck(size = 128, seed = 7, tolerance = 1e-4): Promise<SelfCheckResult> {
  const a = uniformArray(size * size, seed);
  const b = uniformArray(size * size, seed + 1);
  const t0 = now();
  const got = await matmulOnBackend(a, b, size, size, size);
  const ms = now() - t0;
  const err = maxAbsDiff(got, matmulReference(a, b, size, size, size));
  return {
    backend: currentBackend()?.backend ?? tf.getBackend(),
    size,
    maxAbsError: err,
    tolerance,
    ok: err <= tolerance,
    ms,
  };
}

export interface ThroughputResult {
  backend: string;
  rounds: number;
  size: number;
  seconds: number;
  gflops: number;
}

/**
 * Repeats a [size,size]·[size,size] matmul `rounds` times, reading each result back (so the GPU
 * really finishes), reporting progress and honouring cancel between rounds.
 */
export async function matmulThroughput(
  size: number,
  rounds: number,
  token: CancelToken,
  onProgress?: ProgressSink,
): Promise<ThroughputResult> {
  const cp = new Checkpointer(token, 0);
  const a = tf.tensor2d(uniformArray(size * size, 1), [size, size]);
  const b = tf.tensor2d(uniformArray(size * size, 2), [size, size]);
  const t0 = now();
  let done = 0;
  try {
    for (; done < rounds; done++) {
      await cp.check();
      const c = tf.matMul(a, b);
      try {
        await c.data();
      } finally {
        c.dispose();
      }
      const seconds = (now() - t0) / 1000;
      onProgress?.({
        stage: 'matmul',
        done: done + 1,
        total: rounds,
        detail: { gflops: (2 * size ** 3 * (done + 1)) / seconds / 1e9 },
      });
    }
  } finally {
    tf.dispose([a, b]);
  }
  const seconds = (now() - t0) / 1000;
  return { backend: tf.getBackend(), rounds: done, size, seconds, gflops: (2 * size ** 3 * done) / seconds / 1e9 };
}
