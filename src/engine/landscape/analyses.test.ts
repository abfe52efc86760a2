import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../node/backend';
import { CancelToken, isCancelled } from '../util/cancel';
import { createSurface, mergeSurfaces, setPoint } from '../io/surfaceFile';
import { computeCurve } from './curve';
import { computeLayers } from './layers';
import type { CheckpointLike, LandscapeContext } from './model';
import { disposeParamSet, subtract, uploadParams, type HostTensor } from './params';
import { computeSurfacePoints, pendingTasks } from './surface';
import { computeTrajectory } from './trajectory';
import {
  demoSpec,
  StandInModel,
  standInBatches,
  standInLossJs,
  standInTensors,
  type StandInBatch,
} from '../../testing/landscape';

const C = 3;
const D = 4;
const MOVING = ['embeddings.w', 'encoder.layer.0.w'];

beforeAll(async () => {
  await initNodeBackend();
});

function ckpt(name: string, tensors: Map<string, HostTensor>, moving = false): CheckpointLike {
  const t = moving ? new Map([...tensors].filter(([n]) => MOVING.includes(n))) : tensors;
  return { name, sha256: name, tensors: t };
}

/** θ = Σ c_k θ_k over the moving names, in float64 JS. */
function mix(parts: [Map<string, HostTensor>, number][]): Float64Array[] {
  return MOVING.slice()
    .sort()
    .map((n) => {
      const out = new Float64Array(parts[0][0].get(n)!.data.length);
      for (const [t, c] of parts) t.get(n)!.data.forEach((v, i) => (out[i] += c * v));
      return out;
    });
}

function setup() {
  const origin = standInTensors(11, C, D);
  const t1 = standInTensors(12, C, D);
  const t2 = standInTensors(13, C, D);
  const batches = standInBatches(5, 17, C, D, 4);
  const model = new StandInModel(t1); // head (classifier.bias) from θ1
  const theta0 = uploadParams(origin, MOVING);
  const ctx: LandscapeContext<StandInBatch> = { model, batches, origin: theta0, names: [...MOVING].sort() };
  const T1 = uploadParams(t1, MOVING);
  const T2 = uploadParams(t2, MOVING);
  const d1 = subtract(T1, theta0);
  const d2 = subtract(T2, theta0);
  disposeParamSet(T1);
  disposeParamSet(T2);
  const bias = t1.get('classifier.bias')!.data;
  const cleanup = () => {
    for (const s of [theta0, d1, d2]) disposeParamSet(s);
    model.dispose();
  };
  return { origin, t1, t2, batches, model, ctx, d1, d2, bias, cleanup };
}

describe('landscape analyses on a stand-in model', () => {
  it('curve: J(θ0 + α(θ1 − θ0)) with the head fixed, coarse-to-fine, no tensor growth', async () => {
    const s = setup();
    const alphas = [-0.5, 0, 0.5, 1, 1.5];
    const order: number[] = [];
    const res = await computeCurve(s.ctx, s.d1, alphas, { onPoint: (k) => order.push(k) });
    expect(order).toEqual([0, 4, 2, 1, 3]);
    alphas.forEach((a, k) => {
      const want = standInLossJs(
        mix([
          [s.origin, 1 - a],
          [s.t1, a],
        ]),
        s.bias,
        s.batches,
        C,
        D,
      );
      expect(res.loss[k]).toBeCloseTo(want.loss, 5);
      expect(res.accuracy[k]).toBeCloseTo(want.accuracy, 6);
    });
    const before = tf.memory().numTensors;
    await computeCurve(s.ctx, s.d1, alphas);
    expect(tf.memory().numTensors).toBe(before);
    s.cleanup();
  });

  it('surface: full grid = merge of shards = resumed partial run', async () => {
    const s = setup();
    const spec = demoSpec({ grid: { x: { min: -1, max: 1, n: 5 }, y: { min: 0, max: 1, n: 3 } } });
    const full = createSurface(spec);
    const tasks = pendingTasks(full);
    await computeSurfacePoints(s.ctx, [s.d1, s.d2], tasks, {
      onPoint: (t, r) => setPoint(full, t.i, t.j, r.loss, r.accuracy),
    });
    for (let j = 0; j < 3; j++) {
      for (let i = 0; i < 5; i++) {
        const want = standInLossJs(
          mix([
            [s.origin, 1 - full.x[i] - full.y[j]],
            [s.t1, full.x[i]],
            [s.t2, full.y[j]],
          ]),
          s.bias,
          s.batches,
          C,
          D,
        );
        expect(full.values.loss[j][i]).toBeCloseTo(want.loss, 5);
      }
    }
    // Three shards, merged.
    const shards = [];
    for (let index = 1; index <= 3; index++) {
      const f = createSurface(spec);
      await computeSurfacePoints(s.ctx, [s.d1, s.d2], pendingTasks(f, { index, count: 3 }), {
        onPoint: (t, r) => setPoint(f, t.i, t.j, r.loss, r.accuracy),
      });
      shards.push({ name: `s${index}.json`, file: f });
    }
    const merged = mergeSurfaces(shards);
    expect(merged.values).toEqual(full.values);
    // Resume: cancel after 4 points, then resume; only the missing points are evaluated.
    const partial = createSurface(spec);
    const token = new CancelToken();
    let n = 0;
    await expect(
      computeSurfacePoints({ ...s.ctx, token }, [s.d1, s.d2], pendingTasks(partial), {
        onPoint: (t, r) => {
          setPoint(partial, t.i, t.j, r.loss, r.accuracy);
          if (++n === 4) token.cancel();
        },
      }),
    ).rejects.toSatisfy(isCancelled);
    expect(pendingTasks(partial).length).toBe(15 - 4);
    const evalsBefore = s.model.evaluations;
    await computeSurfacePoints(s.ctx, [s.d1, s.d2], pendingTasks(partial), {
      onPoint: (t, r) => setPoint(partial, t.i, t.j, r.loss, r.accuracy),
    });
    expect(s.model.evaluations - evalsBefore).toBe(11);
    expect(partial.values).toEqual(full.values);
    s.cleanup();
  });

  it('layers: α = 1 is θ1, α = 0 rolls back only that group', async () => {
    const s = setup();
    const res = await computeLayers(s.ctx, ckpt('t1', s.t1), s.d1, [0, 0.5, 1]);
    expect(res.groups.map((g) => g.name)).toEqual(['embeddings', 'layer.0']);
    const at1 = standInLossJs(mix([[s.t1, 1]]), s.bias, s.batches, C, D).loss;
    for (const g of res.groups) expect(g.loss[2]).toBeCloseTo(at1, 5);
    // Rolling back 'embeddings.w' to θ0 while 'encoder.layer.0.w' stays at θ1.
    const rolled = [s.origin.get('embeddings.w')!.data, s.t1.get('encoder.layer.0.w')!.data].map((a) =>
      Float64Array.from(a),
    );
    expect(res.groups[0].loss[0]).toBeCloseTo(standInLossJs(rolled, s.bias, s.batches, C, D).loss, 5);
    expect(res.groups[0].parameters).toBe(C * D);
    s.cleanup();
  });

  it('trajectory: α, β preserve angle and norm; J(θ_i) uses the checkpoint and the head is restored', async () => {
    const s = setup();
    const mid = new Map(
      [...s.t1].map(([n, t]) => [
        n,
        {
          shape: t.shape,
          data: t.data.map((v, i) => 0.4 * v + 0.6 * s.origin.get(n)!.data[i] + (i % 3 === 0 ? 0.2 : 0)),
        },
      ]),
    );
    const res = await computeTrajectory(s.ctx, s.d1, [ckpt('mid', mid), ckpt('t1', s.t1)], {
      evaluate: true,
      head: ckpt('t1', s.t1),
    });
    expect(res.points[1].alpha).toBeCloseTo(1, 5);
    expect(res.points[1].beta).toBeCloseTo(0, 2);
    // Direct float64 check for 'mid'.
    let vd = 0;
    let vv = 0;
    let dd = 0;
    for (const n of MOVING) {
      const o = s.origin.get(n)!.data;
      mid.get(n)!.data.forEach((v, i) => {
        const d = s.t1.get(n)!.data[i] - o[i];
        vd += (v - o[i]) * d;
        vv += (v - o[i]) ** 2;
        dd += d * d;
      });
    }
    expect(res.points[0].alpha).toBeCloseTo(vd / dd, 5);
    expect(res.points[0].beta).toBeCloseTo(Math.sqrt(vv / dd - (vd / dd) ** 2), 4);
    const own = standInLossJs(mix([[mid, 1]]), mid.get('classifier.bias')!.data, s.batches, C, D).loss;
    expect(res.points[0].loss).toBeCloseTo(own, 5);
    expect([...(await s.model.params.get('classifier.bias')!.data())]).toEqual([...s.bias]);
    s.cleanup();
  });
});
