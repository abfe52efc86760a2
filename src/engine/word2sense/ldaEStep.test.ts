import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../node/backend';
import { denseRows } from './lda';
import { denseRowsAt, eStepBlock, expElog } from './ldaEStep';
import { csrBlock, denseBlock } from './ldaBlocks';
import { tfjsCsrKernels } from './csrKernels';
import { plantedCounts } from '../../testing/planted';
import { gammaSamples } from './special';

beforeAll(async () => {
  await initNodeBackend();
});

/** A fixed sense–word matrix near the planted truth (so the E-step has a well-defined answer). */
function setup(V: number, K: number) {
  const planted = plantedCounts(V, K, 300, 11);
  const lam = new Float32Array(K * V);
  for (let k = 0; k < K; k++) for (let c = 0; c < V; c++) lam[k * V + c] = 0.5 + 20 * planted.beta[k][c];
  const lamT = tf.tensor2d(lam, [K, V]);
  const tilde = tf.tidy(() => tf.add(expElog(lamT, 1), 1e-30) as tf.Tensor2D);
  const tildeT = tf.transpose(tilde) as tf.Tensor2D;
  lamT.dispose();
  return { planted, tilde, tildeT };
}

describe('eStepBlock', () => {
  it('densifies arbitrary rows like denseRows', () => {
    const { counts } = plantedCounts(30, 3, 50, 2);
    const all = denseRows(counts, 0, 30);
    const some = denseRowsAt(counts, [4, 17, 29]);
    [4, 17, 29].forEach((r, i) =>
      expect(Array.from(some.subarray(i * 30, i * 30 + 30))).toEqual(Array.from(all.subarray(r * 30, r * 30 + 30))),
    );
  });

  it('SQUAREM reaches the plain fixed point in fewer rounds; compaction does not change the answer; no leaks', async () => {
    const V = 80;
    const K = 4;
    const { planted, tilde, tildeT } = setup(V, K);
    const dense = tf.tensor2d(denseRows(planted.counts, 0, V), [V, V]);
    const all = Int32Array.from({ length: V }, (_, i) => i);
    const block = denseBlock(planted.counts, all);
    const start = gammaSamples(V * K, 100, 0.01, 3);
    const base = { tilde, tildeT, alphaK: 0.1 / K, tol: 1e-6 }; // relative: ‖Δγ‖₁ < 1e-6 ‖γ‖₁
    const before = tf.memory().numTensors;
    const plain = start.slice();
    const sp = await eStepBlock(block, plain, { ...base, maxRounds: 2000, compactBelow: 0 });
    const plainCompact = start.slice();
    const spc = await eStepBlock(block, plainCompact, {
      ...base,
      maxRounds: 2000,
      compactBelow: 1,
    });
    const acc = start.slice();
    const sa = await eStepBlock(block, acc, {
      ...base,
      maxRounds: 2000,
      compactBelow: 1,
      accelerate: true,
    });
    expect(tf.memory().numTensors).toBe(before);
    // compaction only drops rows that are done: identical γ for the rows, less work
    for (let i = 0; i < plain.length; i++) expect(plainCompact[i]).toBeCloseTo(plain[i], 3);
    expect(spc.rowRounds).toBeLessThan(sp.rowRounds);
    // the accelerated iteration converges to the same fixed point (relative to each document's length)
    for (let d = 0; d < V; d++) {
      let n = 0;
      for (let k = 0; k < K; k++) n += plain[d * K + k];
      for (let k = 0; k < K; k++) expect(Math.abs(acc[d * K + k] - plain[d * K + k]) / n).toBeLessThan(2e-3);
    }
    expect(sa.rounds).toBeLessThan(0.7 * spc.rounds);
    expect(sa.rowRounds).toBeLessThan(spc.rowRounds);
    // a fixed point: one more plain round moves nothing
    const g = tf.tensor2d(acc, [V, K]);
    const again = tf.tidy(() => {
      const th = expElog(g, 1);
      return tf.add(tf.mul(th, tf.matMul(tf.div(dense, tf.matMul(th, tilde)), tildeT)), 0.1 / K);
    });
    const moved = await again.data();
    for (let i = 0; i < acc.length; i++) expect(Math.abs(moved[i] - acc[i])).toBeLessThan(0.05);
    tf.dispose([g, again, dense]);
    // the same rounds on the CSR form of the block (products at the non-zeros, tfjs ops): the same γ
    const csr = csrBlock(planted.counts, all, tfjsCsrKernels);
    const viaCsr = start.slice();
    const sc = await eStepBlock(csr, viaCsr, { ...base, maxRounds: 2000, compactBelow: 1, accelerate: true });
    expect(sc.rounds).toBe(sa.rounds);
    for (let i = 0; i < acc.length; i++) expect(Math.abs(viaCsr[i] - acc[i])).toBeLessThan(1e-3 * (1 + acc[i]));
    csr.dispose();
    block.dispose();
    tf.dispose([tilde, tildeT]);
  });
});
