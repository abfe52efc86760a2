/**
 * The Node plane session (planeSession.ts) through the curve and surface services: with 2 worker
 * replicas the values equal the one-thread LandscapeSession's exactly; `releaseWeights` empties the
 * checkpoints' tensor maps; the opener declines random directions and one thread; and over 20 points
 * the process RSS (the workers are threads of it) does not grow by anything like a copy per point.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from './backend';
import { planeSessionOpener } from './planeSession';
import { runCurve } from '../landscape/services/curve';
import { runSurfacePoints, type SurfaceRequest } from '../landscape/services/surface';
import { randomBertCheckpoint, randomPreparedData, type RandomBertShape } from '../../testing/randomBert';

const SHAPE: RandomBertShape = { layers: 2, hidden: 256, vocab: 8000, heads: 4 };

function trio() {
  const t1 = randomBertCheckpoint('t1', SHAPE, 31);
  const origin = randomBertCheckpoint('origin', SHAPE, 32, { base: t1, noise: 0.02 });
  origin.tensors.delete('classifier.weight');
  origin.tensors.delete('classifier.bias');
  return { origin, t1, t2: randomBertCheckpoint('t2', SHAPE, 33, { base: t1, noise: 0.02 }) };
}

const data = randomPreparedData(SHAPE.vocab, 3, 2, 8, 9);

beforeAll(async () => {
  await initNodeBackend();
});

describe('plane session', () => {
  it('a curve on 2 replicas equals the one-thread curve; the checkpoints are released', async () => {
    const alphas = [-0.5, 0, 0.25, 1, 1.5];
    const a = trio();
    const one = await runCurve({ origin: a.origin, toward: a.t1, head: a.t1, datasets: [data], alphas });
    const b = trio();
    const two = await runCurve(
      { origin: b.origin, toward: b.t1, head: b.t1, datasets: [data], alphas },
      { openSession: planeSessionOpener(2, { releaseWeights: true }) },
    );
    expect(two[0].loss).toEqual(one[0].loss);
    expect(two[0].accuracy).toEqual(one[0].accuracy);
    expect(b.origin.tensors.size).toBe(0);
    expect(b.t1.tensors.size).toBe(0);
  }, 60_000);

  it('declines one thread and random directions (the services then open the one-thread session)', async () => {
    const { origin, t1 } = trio();
    const req = { origin, head: t1, others: [], directions: [t1], randomDirections: 0, batches: [data.batches] };
    expect(await planeSessionOpener(1)(req)).toBeNull();
    expect(await planeSessionOpener(2)({ ...req, randomDirections: 1 })).toBeNull();
    const surface: SurfaceRequest = {
      origin,
      head: t1,
      x: t1,
      y: null,
      data,
      seed: 3,
      normalize: 'filter',
      ignore: 'bias-ln',
    };
    const points = [{ x: 0.5, y: 0.5 }];
    const viaOpener = await runSurfacePoints(surface, points, { openSession: planeSessionOpener(2) });
    expect(viaOpener).toEqual(await runSurfacePoints(surface, points));
  }, 60_000);

  it('RSS does not grow over 20 points on 2 replicas', async () => {
    const { origin, t1, t2 } = trio();
    const moving = [...origin.tensors.values()].reduce((a, t) => a + t.data.length, 0);
    const s = (await planeSessionOpener(2)({
      origin,
      head: t1,
      others: [],
      directions: [t1, t2],
      randomDirections: 0,
      batches: [data.batches],
    }))!;
    try {
      const ctx = s.context(data.batches);
      const mover = await ctx.model.interpolator!(ctx.origin, [s.directionTo(t1), s.directionTo(t2)], s.names);
      let rss0 = 0;
      for (let k = 0; k < 22; k++) {
        mover.moveTo([Math.sin(k), Math.cos(k)]);
        await ctx.model.evaluate(data.batches);
        if (k === 1) rss0 = process.memoryUsage().rss;
      }
      // One copy of the moving weights per point and replica would be 40 × 4·moving bytes (~580 MB).
      expect(process.memoryUsage().rss - rss0).toBeLessThan(4 * moving * 4);
    } finally {
      await s.dispose();
    }
  }, 60_000);
});
