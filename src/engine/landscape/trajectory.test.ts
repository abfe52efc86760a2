import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../node/backend';
import { checkpointFiles, loadCheckpointDir } from '../node/checkpoint';
import { loadOriginCheckpoint } from './originCheckpoint';
import { disposeParamSet, dot, subtract, uploadParams } from './params';
import { pcaFromGram, symmetricEigen, trajectoryGram } from './pca';
import { projectHost, trajectoryCoordinates } from './trajectory';

const FIX = 'tests/fixtures/landscape';
const ref = JSON.parse(readFileSync(`${FIX}/reference.json`, 'utf8'));
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1e-3, Math.abs(b));

beforeAll(async () => {
  await initNodeBackend();
});

describe('trajectory coordinates against PyTorch', () => {
  it('α_i, β_i of the fixture checkpoints and their PCA coordinates (sklearn) match to 1e-4', async () => {
    const origin = await loadOriginCheckpoint(await checkpointFiles(`${FIX}/origin`), 'origin');
    const toward = await loadCheckpointDir(`${FIX}/ft-a`);
    const traj = await Promise.all(ref.trajectory.checkpoints.map((c: string) => loadCheckpointDir(`${FIX}/${c}`)));
    const names = [...origin.tensors.keys()].sort();
    const theta0 = uploadParams(origin.tensors);
    const t1 = uploadParams(toward.tensors, names);
    const delta = subtract(t1, theta0);
    disposeParamSet(t1);
    const dd = await dot(delta, delta, names);
    const before = tf.memory().numTensors;
    for (let k = 0; k < traj.length; k++) {
      const {
        dots: [vd],
        normSq,
      } = await projectHost(traj[k].tensors, theta0, [delta], names);
      const c = trajectoryCoordinates(vd, normSq, dd);
      expect(rel(c.alpha, ref.trajectory.alpha[k])).toBeLessThan(1e-4);
      expect(rel(c.beta, ref.trajectory.beta[k])).toBeLessThan(1e-4);
    }
    expect(tf.memory().numTensors).toBe(before);
    const rows = [origin.tensors, ...traj.map((t) => t.tensors), toward.tensors];
    const pca = pcaFromGram(await trajectoryGram(rows, toward.tensors, names));
    expect(tf.memory().numTensors).toBe(before);
    for (let k = 0; k < 2; k++)
      expect(rel(pca.explainedVarianceRatio[k], ref.trajectory.explainedVarianceRatio[k])).toBeLessThan(1e-4);
    // Component signs are a convention (sklearn's flip rule changed across versions): compare up to sign per component.
    for (let comp = 0; comp < 2; comp++) {
      const ours = [pca.coords[0][comp], ...[1, 2, 3].map((i) => pca.coords[i][comp])];
      const theirs = [ref.trajectory.pcaOrigin[comp], ...ref.trajectory.pca.map((p: number[]) => p[comp])];
      const sign = Math.sign(ours[0]) === Math.sign(theirs[0]) ? 1 : -1;
      ours.forEach((v, i) => expect(rel(sign * v, theirs[i])).toBeLessThan(1e-4));
    }
    disposeParamSet(theta0);
    disposeParamSet(delta);
  });

  it('Jacobi eigen-decomposition recovers a known spectrum', () => {
    const a = [
      [4, 1, 0],
      [1, 3, 1],
      [0, 1, 2],
    ];
    const { values, vectors } = symmetricEigen(a);
    expect(values[0]).toBeGreaterThan(values[1]);
    for (let k = 0; k < 3; k++) {
      const v = vectors.map((r) => r[k]);
      const av = a.map((row) => row.reduce((s, x, j) => s + x * v[j], 0));
      av.forEach((x, i) => expect(x).toBeCloseTo(values[k] * v[i], 10));
    }
    expect(values.reduce((s, x) => s + x, 0)).toBeCloseTo(9, 10);
  });
});
