/**
 * The data-parallel gradient (gradParallel.ts) against the in-thread one (grad.ts) on the curvature
 * references: with 1, 2 and 3 replicas the loss and every parameter's gradient equal the single-thread
 * result within float32 summation order (1e-5 relative) and PyTorch's within grad.test.ts's 1e-4; a
 * batch smaller than the replicas leaves the idle ones out; dropout is seeded per replica part, so two
 * runs agree exactly and differ from eval mode; an input error in a worker arrives as an input error;
 * H·v over 2 and 3 replicas equals the in-thread product (1e-5) and PyTorch's (1e-3, as grad.test.ts);
 * nothing leaks on this thread.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initNodeBackend } from './backend';
import { BertClassifier } from '../bert/model';
import { gradient, hessianVectorProduct, pointOf, type GradientResult } from '../bert/grad';
import { GradientPool } from './gradParallel';
import {
  curvatureCase,
  fixedVector,
  hvpErrorVsReference,
  referenceTensors,
  relativeError,
} from '../../testing/curvature';
import { isInputError } from '../util/errors';

const pools: GradientPool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

async function flat(g: GradientResult): Promise<Float32Array[]> {
  return Promise.all(g.grads.map(async (t) => (await t.data()) as Float32Array));
}

describe('data-parallel gradient', () => {
  it('1, 2 and 3 replicas give the single-thread gradient (1e-5) and PyTorch’s (1e-4)', async () => {
    await initNodeBackend('wasm');
    const name = 'tiny-hess-gelu';
    const { ref, ckpt, batches } = await curvatureCase(name);
    const want = await referenceTensors(name);
    const model = BertClassifier.fromCheckpoint(ckpt);
    try {
      const point = pointOf(ckpt.config, model.params);
      const shapes = point.tensors.map((t) => t.shape);
      const base = await gradient(point, batches);
      const baseValues = await flat(base);
      for (const threads of [1, 2, 3]) {
        const pool = GradientPool.start(ckpt.config, point.names, shapes, threads);
        pools.push(pool);
        expect(pool.threads).toBe(threads);
        const before = tf.memory().numTensors;
        const g = await pool.gradient(point, batches);
        expect(g.examples).toBe(ref.examples);
        expect(Math.abs(g.loss - base.loss) / base.loss, `loss, ${threads} threads`).toBeLessThan(1e-5);
        const values = await flat(g);
        for (let t = 0; t < point.names.length; t++) {
          if (ref.tensorNorms[t] < 1e-7 * ref.gradientNorm) continue; // zero by symmetry (grad.test.ts)
          expect(relativeError(values[t], baseValues[t]), `${point.names[t]}, ${threads} threads`).toBeLessThan(1e-5);
          expect(relativeError(values[t], want.get(`grad.${point.names[t]}`)!), point.names[t]).toBeLessThan(1e-4);
        }
        tf.dispose(g.grads);
        expect(tf.memory().numTensors).toBe(before);
      }
      tf.dispose(base.grads);
    } finally {
      model.dispose();
    }
  }, 180_000);

  it('a one-example batch on 3 replicas; seeded dropout reproduces and differs from eval mode; input errors stay input errors', async () => {
    await initNodeBackend('wasm');
    const { ckpt, batches } = await curvatureCase('tiny-hess-gelu');
    const { batches: single } = await curvatureCase('tiny-hess-gelu', 1);
    const model = BertClassifier.fromCheckpoint(ckpt);
    try {
      const point = pointOf(ckpt.config, model.params);
      const pool = GradientPool.start(
        ckpt.config,
        point.names,
        point.tensors.map((t) => t.shape),
        3,
      );
      pools.push(pool);
      const one = await pool.gradient(point, [single[0]]);
      const ref = await gradient(point, [single[0]]);
      expect(one.examples).toBe(1);
      expect(Math.abs(one.loss - ref.loss) / ref.loss).toBeLessThan(1e-6);
      tf.dispose([...one.grads, ...ref.grads]);

      let calls = 0;
      const dropout = () => {
        const base = 1000 + calls++;
        let site = 0;
        return { hidden: 0.1, attention: 0.1, classifier: 0.1, nextSeed: () => base * 97 + site++ };
      };
      calls = 0;
      const a = await pool.gradient(point, batches, { dropout });
      calls = 0;
      const b = await pool.gradient(point, batches, { dropout });
      const evalMode = await pool.gradient(point, batches);
      expect(b.loss).toBe(a.loss);
      expect(Array.from((await flat(b))[0])).toEqual(Array.from((await flat(a))[0]));
      expect(a.loss).not.toBe(evalMode.loss);
      tf.dispose([...a.grads, ...b.grads, ...evalMode.grads]);

      const bad = { ...batches[0], labels: batches[0].labels.slice() };
      bad.labels[bad.batch - 1] = 7; // out of range for 2 labels, in the last replica's rows
      const err = await pool.gradient(point, [bad]).catch((e: unknown) => e);
      expect(isInputError(err), String(err)).toBe(true);
    } finally {
      model.dispose();
    }
  }, 180_000);

  it('H·v over 2 and 3 replicas equals the in-thread product (1e-5) and PyTorch’s (1e-3)', async () => {
    await initNodeBackend('wasm');
    const name = 'tiny-hess-gelu';
    const { ckpt, batches } = await curvatureCase(name);
    const want = await referenceTensors(name);
    const model = BertClassifier.fromCheckpoint(ckpt);
    try {
      const point = pointOf(ckpt.config, model.params);
      const v = point.tensors.map((p, t) => tf.tensor(fixedVector(t, p.size), p.shape));
      const base = await Promise.all(
        (await hessianVectorProduct(point, batches, v)).map(async (t) => {
          const d = (await t.data()) as Float32Array;
          t.dispose();
          return d;
        }),
      );
      for (const threads of [2, 3]) {
        const pool = GradientPool.start(
          ckpt.config,
          point.names,
          point.tensors.map((t) => t.shape),
          threads,
        );
        pools.push(pool);
        const before = tf.memory().numTensors;
        const hv = await pool.hvp(point, batches, v);
        for (let t = 0; t < point.names.length; t++) {
          const got = (await hv[t].data()) as Float32Array;
          if (base[t].some((x) => Math.abs(x) > 1e-7))
            expect(relativeError(got, base[t]), `${point.names[t]}, ${threads} threads`).toBeLessThan(1e-5);
        }
        expect(
          (await hvpErrorVsReference(hv, want, point.names)).relative,
          `vs PyTorch, ${threads} threads`,
        ).toBeLessThan(1e-3);
        tf.dispose(hv);
        expect(tf.memory().numTensors).toBe(before);
      }
      tf.dispose(v);
    } finally {
      model.dispose();
    }
  }, 180_000);
});
