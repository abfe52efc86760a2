/**
 * The curvature service (services/curvature.ts over curvature.ts) against the exact Hessian of the
 * tiny reference checkpoints (tools/bert/hessian_reference.py: torch.autograd.functional.hessian,
 * float64): top-3 eigenvalues by magnitude within 1 %, Hutchinson's trace within 3 standard errors,
 * per-block eigenvalue within 1 % and block trace within 3 standard errors, the SLQ density's extreme
 * nodes at the extreme eigenvalues; seeded runs repeat exactly; cancel stops the run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initNodeBackend } from '../node/backend';
import { CancelToken, isCancelled } from '../util/cancel';
import { runHessian } from './services/curvature';
import { curvatureCase } from '../../testing/curvature';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

const within = (got: number, want: number, rel: number): void => {
  expect(Math.abs(got - want) / Math.abs(want)).toBeLessThan(rel);
};

describe('Hessian spectrum against the exact Hessian', () => {
  for (const name of ['tiny-hess-gelu', 'tiny-hess-mse']) {
    it(`${name}: eigenvalues, trace, density, blocks`, async () => {
      const { ref, ckpt, batches } = await curvatureCase(name, 24); // one batch: fewer, larger products
      const before = tf.memory().numTensors;
      const r = await runHessian({
        ckpt,
        batches,
        top: 3,
        iters: 200,
        tol: 1e-4,
        traceSamples: 24,
        density: { vectors: 2, steps: 25 },
        groups: true,
        seed: 3,
      });
      expect(tf.memory().numTensors).toBe(before);
      expect(r.parameters).toBe(ref.parameters);
      expect(r.examples).toBe(ref.examples);
      within(r.loss, ref.loss, 1e-5);
      within(r.gradient_norm, ref.gradientNorm, 1e-4);
      for (let k = 0; k < 3; k++) within(r.eigenvalues[k], ref.eigenvaluesByMagnitude![k], 0.01);
      expect(Math.abs(r.trace.estimate - ref.trace!)).toBeLessThan(3 * r.trace.stderr);
      expect(r.trace.stderr).toBeGreaterThan(0);
      const ev = ref.eigenvalues!;
      const d = r.density!;
      const dx = d.grid[1] - d.grid[0];
      expect(d.values.reduce((a, b) => a + b, 0) * dx).toBeCloseTo(1, 6);
      // The grid spans the extreme Lanczos nodes ± 5σ; those converge to the extreme eigenvalues first.
      const span = ev[ev.length - 1] - ev[0];
      expect(Math.abs(d.grid[d.grid.length - 1] - ev[ev.length - 1])).toBeLessThan(0.1 * span);
      expect(Math.abs(d.grid[0] - ev[0])).toBeLessThan(0.1 * span);
      expect(r.groups!.map((g) => g.name)).toEqual(ref.groups!.map((g) => g.name));
      for (const [i, g] of r.groups!.entries()) {
        const want = ref.groups![i];
        expect(g.parameters).toBe(want.parameters);
        within(g.eigenvalue, want.eigenvalue, 0.01);
        expect(Math.abs(g.trace.estimate - want.trace), g.name).toBeLessThan(3 * g.trace.stderr + 1e-6);
      }
    }, 300_000);
  }

  it('is seeded (same seed, same numbers) and cancellable', async () => {
    const { ckpt, batches } = await curvatureCase('tiny-hess-gelu');
    const a = await runHessian({ ckpt, batches, top: 1, iters: 5, traceSamples: 3, seed: 9 });
    const b = await runHessian({ ckpt, batches, top: 1, iters: 5, traceSamples: 3, seed: 9 });
    expect(b.eigenvalues).toEqual(a.eigenvalues);
    expect(b.trace).toEqual(a.trace);
    const token = new CancelToken();
    let seen = 0;
    const run = runHessian(
      { ckpt, batches, top: 2, iters: 50, tol: 0, traceSamples: 50 },
      {
        token,
        onProgress: (p) => {
          if (p.done > 0) seen++;
          if (p.done >= 3) token.cancel();
        },
      },
    );
    await expect(run).rejects.toSatisfy(isCancelled);
    expect(seen).toBeGreaterThan(0);
  }, 120_000);
});
