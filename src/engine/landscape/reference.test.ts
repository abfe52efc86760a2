/**
 * The landscape engine on real (tiny) BERT checkpoints against tools/landscape/make_fixtures.py, a
 * float64 PyTorch computation with tools/bert/reference.py: curves (dev and train), surface points
 * (fine-tuned and filter-normalised random directions), trajectory losses J(θ_i) and layer-wise curves,
 * all to 1e-4 relative.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../node/backend';
import { checkpointFiles, loadCheckpointDir } from '../node/checkpoint';
import type { LoadedCheckpoint } from '../bert/checkpoint';
import type { EncodedBatch } from '../bert/data';
import { computeCurve } from './curve';
import { computeLayers } from './layers';
import { loadOriginCheckpoint } from './originCheckpoint';
import { disposeParamSet, type ParamSet } from './params';
import { LandscapeSession, prepareData } from './session';
import { computeSurfacePoints } from './surface';
import { computeTrajectory } from './trajectory';

const FIX = 'tests/fixtures/landscape';
const ref = JSON.parse(readFileSync(`${FIX}/reference.json`, 'utf8'));
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1e-6, Math.abs(b));

let origin: LoadedCheckpoint;
let ftA: LoadedCheckpoint;
let ftB: LoadedCheckpoint;
let traj: LoadedCheckpoint[];
let session: LandscapeSession;
let dev: EncodedBatch[];
let train: EncodedBatch[];
let d1: ParamSet;
let d2: ParamSet;

beforeAll(async () => {
  await initNodeBackend();
  origin = await loadOriginCheckpoint(await checkpointFiles(`${FIX}/origin`), 'origin');
  ftA = await loadCheckpointDir(`${FIX}/ft-a`);
  ftB = await loadCheckpointDir(`${FIX}/ft-b`);
  traj = await Promise.all(ref.trajectory.checkpoints.map((c: string) => loadCheckpointDir(`${FIX}/${c}`)));
  for (const [k, c] of [
    ['origin', origin],
    ['ft-a', ftA],
    ['ft-b', ftB],
  ] as const)
    expect(c.sha256).toBe(ref.checkpoints[k].sha256);
  session = LandscapeSession.open(origin, ftA, [
    { role: 'x', ckpt: ftA },
    { role: 'y', ckpt: ftB },
    ...traj.map((ckpt) => ({ role: 'trajectory', ckpt })),
  ]);
  const data = async (split: 'dev' | 'train') => {
    const p = await prepareData(readFileSync(`${FIX}/${ref.data[split].file}`), ref.data[split].file, ftA, {
      split,
      maxLength: ref.maxLength,
      batchSize: ref.batchSize,
    });
    expect(p.spec.sha256).toBe(ref.data[split].sha256);
    expect(p.spec.examples).toBe(ref.data[split].examples);
    return p.batches;
  };
  dev = await data('dev');
  train = await data('train');
  d1 = session.directionTo(ftA);
  d2 = session.directionTo(ftB);
});

afterAll(() => {
  disposeParamSet(d1);
  disposeParamSet(d2);
  session?.dispose();
});

describe('landscapes of a tiny BERT against PyTorch (float64)', () => {
  it('1-D curves on dev and train', async () => {
    for (const [key, batches] of [
      ['curve', dev],
      ['curveTrain', train],
    ] as const) {
      const r = await computeCurve(session.context(batches), d1, ref[key].alphas);
      r.loss.forEach((v, k) => expect(rel(v, ref[key].loss[k])).toBeLessThan(1e-4));
      r.accuracy.forEach((v, k) => expect(Math.abs(v - ref[key].accuracy[k])).toBeLessThan(1e-6));
    }
  });

  it('surface points along θ1 − θ0 and θ2 − θ0, and with a filter-normalised random direction; no tensor growth', async () => {
    const tasks = ref.surface.points.map((p: { x: number; y: number }, k: number) => ({ i: k, j: 0, x: p.x, y: p.y }));
    const before = tf.memory().numTensors;
    const r = await computeSurfacePoints(session.context(dev), [d1, d2], tasks);
    expect(tf.memory().numTensors).toBe(before);
    r.forEach((v, k) => expect(rel(v.loss, ref.surface.points[k].loss)).toBeLessThan(1e-4));
    const rd = session.randomDirection(ref.random.seed, ref.random.normalize, ref.random.ignore);
    const rt = ref.random.points.map((p: { x: number; y: number }, k: number) => ({ i: k, j: 0, x: p.x, y: p.y }));
    const rr = await computeSurfacePoints(session.context(dev), [d1, rd], rt);
    rr.forEach((v, k) => expect(rel(v.loss, ref.random.points[k].loss)).toBeLessThan(1e-4));
    disposeParamSet(rd);
  });

  it('sparse word-embedding updates (rows of the examples’ tokens only) give the dense losses', async () => {
    const ctx = session.context(dev);
    expect(ctx.sparseRows?.[0].name).toBe('embeddings.word_embeddings.weight');
    expect(ctx.sparseRows![0].rows.length).toBeLessThan(
      origin.tensors.get('embeddings.word_embeddings.weight')!.shape[0],
    );
    const tasks = [
      { i: 0, j: 0, x: 0.7, y: -0.4 },
      { i: 1, j: 0, x: -1, y: 2 },
    ];
    const before = tf.memory().numTensors;
    const sparse = await computeSurfacePoints(ctx, [d1, d2], tasks);
    expect(tf.memory().numTensors).toBe(before);
    const dense = await computeSurfacePoints(
      session.context(dev, undefined, { sparseEmbeddings: false }),
      [d1, d2],
      tasks,
    );
    sparse.forEach((r, k) => expect(rel(r.loss, dense[k].loss)).toBeLessThan(1e-6));
  });

  it('trajectory: α, β and each checkpoint’s own loss J(θ_i)', async () => {
    const r = await computeTrajectory(session.context(dev), d1, traj, {
      evaluate: true,
      head: ftA,
      pca: true,
      origin,
      toward: ftA,
    });
    r.points.forEach((p, k) => {
      expect(rel(p.alpha, ref.trajectory.alpha[k])).toBeLessThan(1e-4);
      expect(rel(p.beta, ref.trajectory.beta[k])).toBeLessThan(1e-4);
      expect(rel(p.loss!, ref.trajectory.loss[k])).toBeLessThan(1e-4);
    });
    expect(rel(r.pca!.explainedVarianceRatio[0], ref.trajectory.explainedVarianceRatio[0])).toBeLessThan(1e-4);
    // The head was restored: the curve at α = 1 is θ1 again.
    const c = await computeCurve(session.context(dev), d1, [1]);
    expect(rel(c.loss[0], ref.curve.loss[4])).toBeLessThan(1e-4);
  });

  it('layer-wise curves (embeddings, layer.0, layer.1, pooler)', async () => {
    const r = await computeLayers(session.context(dev), ftA, d1, ref.layers.alphas);
    expect(r.groups.map((g) => g.name)).toEqual(ref.layers.groups.map((g: { name: string }) => g.name));
    r.groups.forEach((g, k) =>
      g.loss.forEach((v, a) => expect(rel(v, ref.layers.groups[k].loss[a])).toBeLessThan(1e-4)),
    );
  });

  it('names a shape mismatch before any compute', async () => {
    const bad: LoadedCheckpoint = { ...ftB, name: 'theta2', tensors: new Map(ftB.tensors) };
    const t = bad.tensors.get('encoder.layer.1.output.dense.weight')!;
    bad.tensors.set('encoder.layer.1.output.dense.weight', {
      shape: [t.shape[0], t.shape[1] + 1],
      data: new Float32Array(t.data.length + t.shape[0]),
    });
    expect(() => LandscapeSession.open(origin, ftA, [{ role: 'y', ckpt: bad }])).toThrow(
      /theta2 \(y\): tensor encoder\.layer\.1\.output\.dense\.weight has shape \[16,33\], origin has \[16,32\]/,
    );
  });
});
