/**
 * Gradients and exact Hessian-vector products (grad.ts over gradForward.ts) against PyTorch's double
 * backward in float64 (tools/bert/hessian_reference.py) on every curvature reference checkpoint —
 * erf GELU, gelu_new, relu; cross-entropy with 2 and 3 labels, MSE — on WASM and CPU: the mean loss,
 * each parameter's gradient within 1e-4 relative (‖g − g_ref‖/‖g_ref‖), H·v within 1e-3 relative;
 * the batching does not change the result; no tensor leaks.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { initNodeBackend } from '../node/backend';
import { BertClassifier } from './model';
import { gradient, hessianVectorProduct, pointOf } from './grad';
import {
  CURVATURE_REFS,
  curvatureCase,
  fixedVector,
  hvpErrorVsReference,
  referenceTensors,
  relativeError,
} from '../../testing/curvature';

const norm = (x: Float32Array): number => Math.sqrt(x.reduce((a, v) => a + v * v, 0));

afterAll(async () => {
  await tf.setBackend('wasm');
});

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`gradient and H·v on ${backend}`, () => {
    for (const name of Object.keys(CURVATURE_REFS)) {
      it(`${name}: loss, per-tensor gradient (1e-4) and H·v (1e-3) equal PyTorch's`, async () => {
        await initNodeBackend(backend);
        const { ref, ckpt, batches } = await curvatureCase(name);
        const want = await referenceTensors(name);
        const model = BertClassifier.fromCheckpoint(ckpt);
        const before = tf.memory().numTensors;
        try {
          const point = pointOf(ckpt.config, model.params);
          expect(point.names).toEqual(ref.names);
          const g = await gradient(point, batches);
          expect(g.examples).toBe(ref.examples);
          expect(Math.abs(g.loss - ref.loss) / ref.loss).toBeLessThan(1e-5);
          for (let t = 0; t < ref.names.length; t++) {
            const got = (await g.grads[t].data()) as Float32Array;
            const exp = want.get(`grad.${ref.names[t]}`)!;
            // Zero by symmetry (attention key biases: softmax ignores a per-query constant): PyTorch's value is
            // round-off; ours must be as negligible next to the whole gradient.
            if (ref.tensorNorms[t] < 1e-7 * ref.gradientNorm) expect(norm(got)).toBeLessThan(1e-6 * ref.gradientNorm);
            else expect(relativeError(got, exp), ref.names[t]).toBeLessThan(1e-4);
          }
          tf.dispose(g.grads);
          const v = point.tensors.map((p, t) => tf.tensor(fixedVector(t, p.size), p.shape));
          const hv = await hessianVectorProduct(point, batches, v);
          const e = await hvpErrorVsReference(hv, want, ref.names);
          expect(e.relative).toBeLessThan(1e-3);
          expect(e.refNorm).toBeCloseTo(ref.hvNorm, 3);
          tf.dispose([...v, ...hv]);
          expect(tf.memory().numTensors).toBe(before);
        } finally {
          model.dispose();
        }
      }, 120_000);
    }
  });
}

describe('batching', () => {
  it('one batch or many give the same gradient (the mean over all examples)', async () => {
    await initNodeBackend('wasm');
    const { ckpt, batches } = await curvatureCase('tiny-hess-gelu', 5);
    const { batches: one } = await curvatureCase('tiny-hess-gelu', 1000);
    expect(batches.length).toBeGreaterThan(2);
    const model = BertClassifier.fromCheckpoint(ckpt);
    try {
      const point = pointOf(ckpt.config, model.params);
      const a = await gradient(point, batches);
      const b = await gradient(point, one);
      expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-6);
      const ys = await Promise.all(b.grads.map(async (g) => (await g.data()) as Float32Array));
      const whole = Math.sqrt(ys.reduce((s, y) => s + norm(y) ** 2, 0));
      for (let t = 0; t < a.grads.length; t++) {
        const x = (await a.grads[t].data()) as Float32Array;
        // Tensors whose gradient is zero by symmetry (key biases) hold round-off only.
        if (norm(ys[t]) > 1e-6 * whole) expect(relativeError(x, ys[t]), point.names[t]).toBeLessThan(1e-5);
        else expect(norm(x)).toBeLessThan(1e-6 * whole);
      }
      tf.dispose([...a.grads, ...b.grads]);
    } finally {
      model.dispose();
    }
  }, 60_000);
});

describe('a gradient that throws mid-pass', () => {
  it('frees its tape and its partial sums, and the next gradient is unchanged', async () => {
    await initNodeBackend('wasm');
    const { ckpt, batches } = await curvatureCase('tiny-hess-gelu', 5);
    const model = BertClassifier.fromCheckpoint(ckpt);
    try {
      const point = pointOf(ckpt.config, model.params);
      const clean = await gradient(point, batches);
      const before = tf.memory().numTensors;
      let seeds = 0;
      // The second batch's forward pass fails at its fourth dropout site, after the first batch's gradient is summed.
      const failing = {
        hidden: 0.1,
        attention: 0.1,
        classifier: 0.1,
        nextSeed: () => {
          if (++seeds === 4) throw new Error('seed source failed');
          return seeds;
        },
      };
      await expect(gradient(point, batches, { dropout: (i) => (i === 1 ? failing : undefined) })).rejects.toThrow(
        'seed source failed',
      );
      expect(tf.memory().numTensors).toBe(before);
      const again = await gradient(point, batches);
      expect(again.loss).toBe(clean.loss);
      for (let t = 0; t < clean.grads.length; t++)
        expect(Array.from(await again.grads[t].data())).toEqual(Array.from(await clean.grads[t].data()));
      tf.dispose([...clean.grads, ...again.grads]);
    } finally {
      model.dispose();
    }
  }, 60_000);
});
