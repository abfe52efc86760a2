/**
 * The flatness service and its parts: Kendall's τ-b against scipy.stats.kendalltau (with ties); the
 * table's rows and correlations on the landscape fixtures (gaps as defined, n, measures finite);
 * ε-sharpness is a non-negative rise that grows with ε and leaves the model unchanged; the
 * random-direction rise is 0 at radius 0 and leaves the model unchanged; the 1-D curve measures equal
 * basin.ts applied to the curve service's own curve, per-checkpoint origins, null without a direction.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initNodeBackend } from '../node/backend';
import { checkpointFiles, loadCheckpointDir } from '../node/checkpoint';
import { loadOriginCheckpoint } from './originCheckpoint';
import { BertClassifier } from '../bert/model';
import { prepareData } from './session';
import { kendallTauB, spearman } from './flatnessStats';
import { epsilonSharpness, randomDirectionRise } from './sharpness';
import { runFlatness } from './services/flatness';
import { runCurve } from './services/curve';
import { basinWidth } from './basin';
import { FIXTURES } from '../../testing/curvature';

const L = join(FIXTURES, 'landscape');

beforeAll(async () => {
  await initNodeBackend('wasm');
});

async function data(file: string, head: Awaited<ReturnType<typeof loadCheckpointDir>>) {
  return prepareData(new Uint8Array(readFileSync(join(L, 'data', file))), file, head, {
    maxLength: 40,
    batchSize: 8,
    split: file.includes('train') ? 'train' : 'dev',
  });
}

describe('rank correlations', () => {
  it('Kendall τ-b and Spearman ρ equal scipy (ties included)', () => {
    const x = [1, 2, 2, 3, 5, 4, 7];
    const y = [2, 1, 3, 3, 6, 5, 5];
    expect(kendallTauB(x, y)).toBeCloseTo(0.7181848464596078, 12);
    expect(spearman(x, y)).toBeCloseTo(0.8532469179729296, 12);
    expect(kendallTauB([1, 2, 3], [3, 2, 1])).toBe(-1);
    expect(kendallTauB([1, 1, 1], [1, 2, 3])).toBeNaN();
  });
});

describe('sharpness measures', () => {
  it('ε-sharpness rises with ε, random rise is 0 at r = 0; the model is left as it was', async () => {
    const ckpt = await loadCheckpointDir(join(L, 'ft-a'));
    const train = await data('sst2-train.tsv', ckpt);
    const model = BertClassifier.fromCheckpoint(ckpt);
    try {
      const before = (await model.evaluate(train.batches)).loss;
      const small = await epsilonSharpness(model, train.batches, { epsilon: 1e-4, steps: 3 });
      const large = await epsilonSharpness(model, train.batches, { epsilon: 1e-2, steps: 3 });
      expect(small.rise).toBeGreaterThan(0);
      expect(large.rise).toBeGreaterThan(small.rise);
      expect(Math.abs(small.loss - before)).toBeLessThan(1e-5);
      const zero = await randomDirectionRise(model, train.batches, { radius: 0, directions: 2, seed: 1 });
      expect(Math.abs(zero.rise)).toBeLessThan(1e-6);
      const some = await randomDirectionRise(model, train.batches, { radius: 0.5, directions: 2, seed: 1 });
      expect(some.rises).toHaveLength(2);
      expect(some.rises.every((r) => r !== 0)).toBe(true);
      expect((await model.evaluate(train.batches)).loss).toBe(before);
    } finally {
      model.dispose();
    }
  }, 120_000);
});

describe('runFlatness', () => {
  it('rows with the gaps as defined and correlations over n checkpoints', async () => {
    const ckpts = await Promise.all(['ft-a', 'ft-b', 'traj-3'].map((n) => loadCheckpointDir(join(L, n))));
    const train = await data('sst2-train.tsv', ckpts[0]);
    const dev = await data('sst2-dev.tsv', ckpts[0]);
    const before = tf.memory().numTensors;
    const r = await runFlatness({
      checkpoints: ckpts,
      train: train.batches,
      dev: dev.batches,
      iters: 10,
      traceSamples: 4,
      directions: 2,
      ascentSteps: 2,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.rows.map((x) => x.name)).toEqual(ckpts.map((c) => c.name));
    for (const row of r.rows) {
      expect(row.gap_loss).toBeCloseTo(row.dev_loss - row.train_loss, 12);
      expect(row.gap_accuracy).toBeCloseTo(row.train_accuracy! - row.dev_accuracy!, 12);
      for (const k of ['eigenvalue', 'trace', 'epsilon_sharpness', 'random_direction_rise'] as const)
        expect(Number.isFinite(row[k]), k).toBe(true);
    }
    expect(r.correlations).toHaveLength(12);
    for (const c of r.correlations)
      expect(c.n).toBe(c.measure === 'curve_curvature' || c.measure === 'basin_width' ? 0 : 3);
    for (const row of r.rows) expect([row.curve_curvature, row.basin_width, row.basin]).toEqual([null, null, null]);
    const c = r.correlations.find((x) => x.measure === 'trace' && x.gap === 'gap_loss')!;
    expect(c.spearman).toBeCloseTo(
      spearman(
        r.rows.map((x) => x.trace),
        r.rows.map((x) => x.gap_loss),
      ),
      12,
    );
    expect(r.examples).toEqual({ train: 12, dev: 20 });
  }, 300_000);

  it("reads J''(1) and the basin off each checkpoint’s own 1-D curve, as the curve service computes it", async () => {
    const origin = await loadOriginCheckpoint(await checkpointFiles(join(L, 'origin')), 'origin');
    const [a, t3] = await Promise.all(['ft-a', 'traj-3'].map((n) => loadCheckpointDir(join(L, n))));
    const train = await data('sst2-train.tsv', a);
    const dev = await data('sst2-dev.tsv', a);
    const light = { iters: 2, traceSamples: 2, directions: 1, ascentSteps: 1 };
    // one origin per checkpoint: ft-a from the origin, traj-3 from ft-a, and ft-a from itself (no curve)
    const r = await runFlatness({
      checkpoints: [a, t3, a],
      origins: [origin, a, a],
      train: train.batches,
      dev: dev.batches,
      curveSpan: 0.4,
      curveStep: 0.2,
      basinDelta: 0.05,
      ...light,
    });
    expect(r.settings.origins).toEqual([origin.name, a.name, a.name]);
    const alphas = [0.6, 0.8, 1, 1.2, 1.4];
    for (const [i, [from, to]] of [
      [origin, a],
      [a, t3],
    ].entries()) {
      const [c] = await runCurve({ origin: from, toward: to, head: to, datasets: [train], alphas });
      const loss = c.loss as number[];
      const row = r.rows[i];
      expect(row.curve_curvature).toBeCloseTo((loss[3] - 2 * loss[2] + loss[1]) / 0.04, 6);
      const b = basinWidth(alphas, loss, 0.05);
      expect(row.basin_width).toBeCloseTo(b.width, 9);
      expect(row.basin).toEqual({ left: b.left, right: b.right, censored: b.censored });
    }
    expect(r.rows[2].curve_curvature).toBeNull(); // its own origin: no direction
    const n = r.correlations.find((x) => x.measure === 'basin_width' && x.gap === 'gap_loss')!.n;
    expect(n).toBe(2);
    await expect(
      runFlatness({ checkpoints: [a, t3, a], origins: [origin, a], train: train.batches, dev: dev.batches, ...light }),
    ).rejects.toThrow(/one per checkpoint \(3\), not 2/);
  }, 300_000);
});
