/**
 * In-place landscape points (interpolate.ts) against the path they replace — the fused `combine` on
 * the device + `assignParams` — on every backend the unit suite runs (WASM and CPU with the host speed
 * path, CPU through the device path): same losses to 1e-6 relative and logits to 1e-5 at surface
 * points with the word-embedding row subset; after `dispose` every parameter holds the last point and
 * the borrowed base and directions are back in their own layout bit for bit; no
 * growth of tfjs tensors/bytes or (Node) RSS over 20 points of a 3.7M-parameter model (RSS: less than
 * four copies of the moving weights, where keeping one per point would be twenty).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../node/backend';
import { combine, disposeParamSet, subtract, uploadParams } from '../landscape/params';
import { disposeRowSubsets, moveTo, rowSubsets } from '../landscape/model';
import { randomBatches, randomBertCheckpoint, type RandomBertShape } from '../../testing/randomBert';
import { BertClassifier } from './model';
import type { LoadedCheckpoint } from './checkpoint';

const SMALL: RandomBertShape = { layers: 2, hidden: 64, vocab: 500, heads: 2 };
const POINTS = [
  [0, 0],
  [1, 0],
  [0.3, -0.7],
  [2, 1.5],
  [-1, 0.25],
];

function trio(shape: RandomBertShape): { origin: LoadedCheckpoint; t1: LoadedCheckpoint; t2: LoadedCheckpoint } {
  const t1 = randomBertCheckpoint('t1', shape, 11);
  const origin = randomBertCheckpoint('origin', shape, 12, { base: t1, noise: 0.01 });
  origin.tensors.delete('classifier.weight');
  origin.tensors.delete('classifier.bias');
  return { origin, t1, t2: randomBertCheckpoint('t2', shape, 13, { base: t1, noise: 0.01 }) };
}

const relMax = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let d = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / Math.max(m, 1e-12);
};

beforeAll(async () => {
  await initNodeBackend();
});
afterAll(async () => {
  await tf.setBackend('wasm');
});

const CASES = [
  { backend: 'wasm', hostAssist: undefined, path: 'host' },
  { backend: 'cpu', hostAssist: undefined, path: 'host' },
  { backend: 'cpu', hostAssist: false, path: 'device' },
] as const;

for (const c of CASES) {
  describe(`in-place interpolation on ${c.backend} (${c.path} path)`, () => {
    const { origin, t1, t2 } = trio(SMALL);
    const names = [...origin.tensors.keys()].sort();
    const batches = randomBatches(SMALL.vocab, 2, 4, 12, 5);
    const rows = Int32Array.from([...new Set(batches.flatMap((b) => [...b.inputIds]))].sort((a, b) => a - b));
    const sparseRows = [{ name: 'embeddings.word_embeddings.weight', rows }];

    beforeAll(async () => {
      expect(await tf.setBackend(c.backend)).toBe(true);
    });

    function setup() {
      const model = BertClassifier.fromCheckpoint(t1, { hostAssist: c.hostAssist });
      const base = uploadParams(origin.tensors, names);
      const up1 = uploadParams(t1.tensors, names);
      const up2 = uploadParams(t2.tensors, names);
      const dirs = [subtract(up1, base), subtract(up2, base)];
      disposeParamSet(up1);
      disposeParamSet(up2);
      return {
        model,
        base,
        dirs,
        dispose() {
          model.dispose();
          disposeParamSet(base);
          dirs.forEach(disposeParamSet);
        },
      };
    }

    it('points equal combine + assignParams (loss 1e-6, logits 1e-5 relative) with the row subset', async () => {
      const a = setup();
      // The reference has its own base and directions: the mover borrows (rearranges) a's until disposed.
      const r = setup();
      const ref = r.model;
      const subsets = rowSubsets({ sparseRows, names }, r.base, r.dirs);
      const mover = await a.model.interpolator(a.base, a.dirs, names, { sparseRows });
      try {
        for (const p of POINTS) {
          moveTo(ref, r.base, r.dirs, p, names, subsets);
          const want = await ref.evaluate(batches, { keepLogits: true });
          mover.moveTo(p);
          const got = await a.model.evaluate(batches, { keepLogits: true });
          expect(Math.abs(got.loss - want.loss) / Math.abs(want.loss)).toBeLessThan(1e-6);
          expect(relMax(got.logits!, want.logits!)).toBeLessThan(1e-5);
          expect(got.accuracy).toBe(want.accuracy);
        }
        // A different point changes the loss: the writes reach the forward pass.
        mover.moveTo([0, 0]);
        const l0 = (await a.model.evaluate(batches)).loss;
        mover.moveTo([2, 1.5]);
        expect((await a.model.evaluate(batches)).loss).not.toBe(l0);
      } finally {
        mover.dispose();
        disposeRowSubsets(subsets);
        r.dispose();
        a.dispose();
      }
    });

    it('after dispose every parameter holds the last point and the model assigns and evaluates as before', async () => {
      const a = setup();
      const before = tf.memory().numTensors;
      const copy = async (set: Map<string, tf.Tensor>) =>
        new Map(await Promise.all([...set].map(async ([n, t]) => [n, (await t.data()).slice()] as const)));
      const baseBefore = await copy(a.base);
      const dirBefore = await copy(a.dirs[1]);
      const mover = await a.model.interpolator(a.base, a.dirs, names);
      mover.moveTo([0.3, -0.7]);
      mover.dispose();
      expect(tf.memory().numTensors).toBe(before);
      // The borrowed base and directions are back in their own layout, bit for bit.
      for (const n of names) {
        expect(await a.base.get(n)!.data(), n).toEqual(baseBefore.get(n));
        expect(await a.dirs[1].get(n)!.data(), n).toEqual(dirBefore.get(n));
      }
      const want = combine(a.base, a.dirs, [0.3, -0.7], names);
      const ref = BertClassifier.fromCheckpoint(t1, { hostAssist: c.hostAssist });
      try {
        expect([...a.model.params.keys()].sort()).toEqual([...ref.params.keys()].sort());
        for (const n of names)
          expect(relMax(await a.model.params.get(n)!.data(), await want.get(n)!.data()), n).toBeLessThan(1e-6);
        ref.assignParams(want);
        const r = await ref.evaluate(batches);
        expect(Math.abs((await a.model.evaluate(batches)).loss - r.loss) / r.loss).toBeLessThan(1e-6);
        // assignParams after an interpolation rebuilds the kernels from the restored parameters.
        a.model.assignParams(a.base);
        ref.assignParams(a.base);
        expect(Math.abs((await a.model.evaluate(batches)).loss - (await ref.evaluate(batches)).loss)).toBeLessThan(
          1e-6 * r.loss,
        );
      } finally {
        disposeParamSet(want);
        ref.dispose();
        a.dispose();
      }
    });
  });
}

describe('memory over 20 points', () => {
  const shape: RandomBertShape = { layers: 2, hidden: 256, vocab: 8000, heads: 4 };
  const { origin, t1, t2 } = trio(shape);
  const names = [...origin.tensors.keys()].sort();
  const batches = randomBatches(shape.vocab, 1, 2, 8, 9);
  const moving = names.reduce((a, n) => a + origin.tensors.get(n)!.data.length, 0);

  for (const c of CASES) {
    it(`${c.backend} (${c.path} path): tf.memory() and RSS do not grow`, async () => {
      expect(await tf.setBackend(c.backend)).toBe(true);
      const model = BertClassifier.fromCheckpoint(t1, { hostAssist: c.hostAssist });
      const base = uploadParams(origin.tensors, names);
      const ups = [uploadParams(t1.tensors, names), uploadParams(t2.tensors, names)];
      const dirs = ups.map((u) => subtract(u, base));
      ups.forEach(disposeParamSet);
      const mover = await model.interpolator(base, dirs, names);
      try {
        let mem0 = tf.memory();
        let rss0 = 0;
        for (let k = 0; k < 22; k++) {
          mover.moveTo([Math.sin(k), Math.cos(k)]);
          await model.evaluate(batches);
          if (k === 1) {
            mem0 = tf.memory();
            rss0 = process.memoryUsage().rss;
          }
        }
        const mem = tf.memory();
        expect(mem.numTensors).toBe(mem0.numTensors);
        expect(mem.numBytes).toBe(mem0.numBytes);
        // One copy of the moving weights kept per point would be 20 × 4·moving bytes (~290 MB); allow a
        // fifth of that for the garbage collector's timing (the CPU backend's buffers are JS arrays).
        const growth = process.memoryUsage().rss - rss0;
        expect(growth).toBeLessThan(4 * moving * 4);
      } finally {
        mover.dispose();
        model.dispose();
        disposeParamSet(base);
        dirs.forEach(disposeParamSet);
      }
    });
  }
});
