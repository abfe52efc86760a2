/**
 * The tfjs-ops CSR products (the reference path of the block engine, and what the WGSL kernels are
 * compared with in the e2e) equal the float64 reference on the WASM and CPU backends.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../node/backend';
import { runCsrProducts, tfjsCsrKernels } from './csrKernels';
import { csrProductsReference, maxRelError, randomCsrInputs } from './csrReference';

afterAll(async () => {
  await initNodeBackend();
});

// Float32 sums of at most `cols` products of numbers in [0, 2]: 1e-5 relative to (1 + |x|) holds with room.
const TOL = 1e-5;

describe.each(['wasm', 'cpu'])('tfjs-ops CSR products on %s', (backend) => {
  it.each([
    [0.01, 37],
    [0.1, 130],
    [0.5, 8],
    [1, 3],
  ])('equal the float64 reference at density %f, K = %i (empty rows, a one-non-zero row)', async (density, K) => {
    await initNodeBackend();
    await tf.setBackend(backend);
    const inp = randomCsrInputs(23, 150, K, density, 7 + K);
    const want = csrProductsReference(inp);
    const before = tf.memory().numTensors;
    const got = await runCsrProducts(tfjsCsrKernels, inp);
    expect(tf.memory().numTensors).toBe(before);
    expect(got.sddmm.length).toBe(inp.m.rowPtr[23]);
    for (const key of ['sddmm', 'spmm', 'addSpmmT', 'rowSums'] as const)
      expect(maxRelError(got[key], want[key]), key).toBeLessThan(TOL);
    // the awkward rows: empty rows give zero rows of the SpMM; the one-non-zero row is that column's β̃ row times q
    expect(Array.from(got.spmm.subarray(0, K)).every((v) => v === 0)).toBe(true);
    const c = inp.m.colIdx[0];
    for (let k = 0; k < K; k++) expect(got.spmm[K + k]).toBeCloseTo(inp.q[0] * inp.bT[c * K + k], 5);
  });
});
