/**
 * PCA of optimisation trajectories (Li et al. 2018, Sec. 7) without ever materialising the
 * (checkpoints × parameters) matrix on the host: the Gram matrix G_ij = ⟨v_i, v_j⟩ of the difference
 * vectors v_i = θ_i − θ_ref is accumulated on the device tensor by tensor (n × n floats are read back),
 * then centred and eigendecomposed on the host (cyclic Jacobi, n is small).
 *
 * Coordinates follow Li et al.'s `project_trajectory`: each v_i is projected (uncentred) onto the unit
 * principal directions fitted on the centred v's, as sklearn's PCA(2).fit(V) then V·components_ᵀ would.
 * Component signs follow sklearn's classic `svd_flip` (largest |u| entry of each component positive).
 */
import * as tf from '@tensorflow/tfjs-core';
import { matMulFast } from '../tensor/matmul';
import type { HostTensor } from './params';

/**
 * G_ij = ⟨θ_i − θ_ref, θ_j − θ_ref⟩ over `names`, float64 on the host from float32 device partial sums
 * (one n × n matmul per tensor, one read-back in total). Peak device memory: n copies of the largest tensor.
 */
export async function trajectoryGram(
  points: readonly ReadonlyMap<string, HostTensor>[],
  ref: ReadonlyMap<string, HostTensor>,
  names: readonly string[],
): Promise<number[][]> {
  const n = points.length;
  const partials: tf.Tensor[] = [];
  try {
    for (const name of names) {
      partials.push(
        tf.tidy(() => {
          const r = ref.get(name)!;
          const rows = points.map((p) => {
            const t = p.get(name);
            if (!t) throw new Error(`trajectory point lacks tensor ${name}`);
            return tf.sub(tf.tensor1d(t.data, 'float32'), tf.tensor1d(r.data, 'float32'));
          });
          const m = tf.stack(rows);
          return matMulFast(m, m, false, true);
        }),
      );
    }
    const total = tf.tidy(() => tf.stack(partials));
    const data = await total.data();
    total.dispose();
    const g = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    for (let p = 0; p < partials.length; p++)
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) g[i][j] += data[p * n * n + i * n + j];
    return g;
  } finally {
    for (const t of partials) t.dispose();
  }
}

/** Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations: values descending, vectors as columns. */
export function symmetricEigen(a: readonly number[][]): { values: number[]; vectors: number[][] } {
  const n = a.length;
  const m = a.map((r) => [...r]);
  const v: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += m[i][j] * m[i][j];
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(m[p][q]) < 1e-300) continue;
        const theta = (m[q][q] - m[p][p]) / (2 * m[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k][p];
          const mkq = m[k][q];
          m[k][p] = c * mkp - s * mkq;
          m[k][q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p][k];
          const mqk = m[q][k];
          m[p][k] = c * mpk - s * mqk;
          m[q][k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => m[y][y] - m[x][x]);
  return { values: order.map((i) => m[i][i]), vectors: v.map((row) => order.map((i) => row[i])) };
}

export interface TrajectoryPca {
  /** coords[i] = [pc1, pc2] of point i. */
  coords: [number, number][];
  /** Fraction of the centred variance each of the two components explains. */
  explainedVarianceRatio: [number, number];
}

/** Two-component PCA coordinates from the Gram matrix of the difference vectors (see file header). */
export function pcaFromGram(g: readonly number[][]): TrajectoryPca {
  const n = g.length;
  const colMean = Array.from({ length: n }, (_, j) => g.reduce((s, row) => s + row[j], 0) / n);
  const grand = colMean.reduce((s, x) => s + x, 0) / n;
  const rowMean = g.map((row) => row.reduce((s, x) => s + x, 0) / n);
  const centred = g.map((row, i) => row.map((x, j) => x - rowMean[i] - colMean[j] + grand));
  // CG_ij = ⟨c_i, v_j⟩ with c the centred vectors.
  const cg = g.map((row) => row.map((x, j) => x - colMean[j]));
  const { values, vectors } = symmetricEigen(centred);
  const total = values.reduce((s, x) => s + Math.max(0, x), 0);
  const coords: [number, number][] = Array.from({ length: n }, () => [0, 0]);
  const ratio: [number, number] = [0, 0];
  for (let k = 0; k < 2 && k < n; k++) {
    const lambda = Math.max(0, values[k]);
    if (lambda <= 1e-12 * Math.max(1, total)) continue;
    const u = vectors.map((row) => row[k]);
    let big = 0;
    for (let i = 1; i < n; i++) if (Math.abs(u[i]) > Math.abs(u[big])) big = i;
    const sign = u[big] < 0 ? -1 : 1;
    const scale = sign / Math.sqrt(lambda);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += u[i] * cg[i][j];
      coords[j][k] = s * scale;
    }
    ratio[k] = total > 0 ? lambda / total : 0;
  }
  return { coords, explainedVarianceRatio: ratio };
}
