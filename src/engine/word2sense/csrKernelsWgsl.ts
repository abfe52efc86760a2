/**
 * The CSR products of csrKernels.ts as WGSL compute shaders on tfjs's WebGPU backend — hand-written
 * because tfjs has no sparse products: its gather + segment-sum route materialises [nnz, K] and sums
 * with float atomics (order-dependent, so not deterministic run to run). Each kernel sums in a fixed
 * order, so results are reproducible per device.
 *
 *   sddmm     one invocation per non-zero j: a[rowOf_j] · bT[col_j] (two contiguous K-rows).
 *   spmm      one workgroup per row (row-per-workgroup CSR), its 64 invocations over k: each walks the
 *             row's non-zeros and reads bT[col_j, k] — neighbouring invocations read neighbouring floats.
 *   addSpmmT  one workgroup per column c, over k: walks column c's non-zeros (colPerm, the CSC order of
 *             the block) and adds q_j a[rowOf_j, k] to s[k, c] — no atomics, each output written once.
 *   rowSums   one invocation per row, a sequential sum over its non-zeros.
 *
 * Programs follow tfjs-backend-webgpu's WebGPUProgram contract (its makeShader adds the bindings for
 * `variableNames`, the `uniforms` struct and `setOutputAtIndex`); the workgroup index is recomputed from
 * all three dispatch dimensions because the backend reshapes dispatches over 65,535 workgroups.
 */
import * as tf from '@tensorflow/tfjs-core';
import { tfjsCsrKernels, type CsrKernels, type CsrTensors } from './csrKernels';

const WG = 64;

interface Program {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  variableNames: string[];
  workgroupSize: [number, number, number];
  uniforms?: string;
  size?: boolean;
  getUserCode: () => string;
}

interface WebGpuLike {
  runWebGPUProgram(
    p: Program,
    inputs: tf.TensorInfo[],
    dtype: tf.DataType,
    uniforms?: { type: string; data: number[] }[],
  ): tf.TensorInfo;
}

/** The flat workgroup index (dispatches over 65,535 workgroups are reshaped by the backend). */
const WORKGROUP = `i32(workgroupId.z * numWorkgroups.x * numWorkgroups.y + workgroupId.y * numWorkgroups.x + workgroupId.x)`;

function program(
  key: string,
  outputShape: number[],
  variableNames: string[],
  workgroups: number,
  body: string,
  perInvocation = false,
): Program {
  return {
    outputShape,
    shaderKey: `sensescape_csr_${key}`,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [perInvocation ? Math.ceil(workgroups / WG) : workgroups, 1, 1],
    variableNames,
    workgroupSize: [WG, 1, 1],
    uniforms: 'K : i32, n : i32,',
    getUserCode: () => body,
  };
}

function run(p: Program, inputs: tf.Tensor[], K: number, n: number): tf.Tensor {
  const backend = tf.backend() as unknown as WebGpuLike;
  const info = backend.runWebGPUProgram(p, inputs, 'float32', [
    { type: 'int32', data: [K] },
    { type: 'int32', data: [n] },
  ]);
  return tf.engine().makeTensorFromTensorInfo(info);
}

/** The WGSL kernels; call only with tfjs's WebGPU backend active. */
export const wgslCsrKernels: CsrKernels = {
  kind: 'wgsl',
  sddmm(m: CsrTensors, a: tf.Tensor2D, bT: tf.Tensor2D): tf.Tensor1D {
    const K = a.shape[1];
    const p = program(
      'sddmm',
      [m.nnz],
      ['RowOf', 'ColIdx', 'A', 'BT'],
      m.nnz,
      `
      fn main(index : i32) {
        let j = index;
        if (j >= uniforms.n) { return; }
        let K = uniforms.K;
        let ra = RowOf[j] * K;
        let rb = ColIdx[j] * K;
        var s = 0.0;
        for (var k = 0; k < K; k++) { s = s + A[ra + k] * BT[rb + k]; }
        setOutputAtIndex(j, s);
      }`,
      true,
    );
    return run(p, [m.rowOf, m.colIdx, a, bT], K, m.nnz) as tf.Tensor1D;
  },
  spmm(m: CsrTensors, q: tf.Tensor1D, bT: tf.Tensor2D): tf.Tensor2D {
    const K = bT.shape[1];
    const p = program(
      'spmm',
      [m.rows, K],
      ['RowPtr', 'ColIdx', 'Q', 'BT'],
      m.rows,
      `
      fn main(index : i32) {
        let r = ${WORKGROUP};
        if (r >= uniforms.n) { return; }
        let K = uniforms.K;
        let j0 = RowPtr[r];
        let j1 = RowPtr[r + 1];
        for (var k = i32(localIndex); k < K; k = k + ${WG}) {
          var s = 0.0;
          for (var j = j0; j < j1; j++) { s = s + Q[j] * BT[ColIdx[j] * K + k]; }
          setOutputAtIndex(r * K + k, s);
        }
      }`,
    );
    return run(p, [m.rowPtr, m.colIdx, q, bT], K, m.rows) as tf.Tensor2D;
  },
  addSpmmT(m: CsrTensors, q: tf.Tensor1D, a: tf.Tensor2D, s: tf.Tensor2D): tf.Tensor2D {
    const K = a.shape[1];
    const p = program(
      'addSpmmT',
      [K, m.cols],
      ['ColPtr', 'ColPerm', 'RowOf', 'Q', 'A', 'S'],
      m.cols,
      `
      fn main(index : i32) {
        let c = ${WORKGROUP};
        let V = uniforms.n;
        if (c >= V) { return; }
        let K = uniforms.K;
        let j0 = ColPtr[c];
        let j1 = ColPtr[c + 1];
        for (var k = i32(localIndex); k < K; k = k + ${WG}) {
          var s = S[k * V + c];
          for (var i = j0; i < j1; i++) {
            let j = ColPerm[i];
            s = s + Q[j] * A[RowOf[j] * K + k];
          }
          setOutputAtIndex(k * V + c, s);
        }
      }`,
    );
    return run(p, [m.colPtr, m.colPerm, m.rowOf, q, a, s], K, m.cols) as tf.Tensor2D;
  },
  rowSums(m: CsrTensors, x: tf.Tensor1D): tf.Tensor1D {
    const p = program(
      'rowSums',
      [m.rows],
      ['RowPtr', 'X'],
      m.rows,
      `
      fn main(index : i32) {
        let r = index;
        if (r >= uniforms.n) { return; }
        var s = 0.0;
        for (var j = RowPtr[r]; j < RowPtr[r + 1]; j++) { s = s + X[j]; }
        setOutputAtIndex(r, s);
      }`,
      true,
    );
    return run(p, [m.rowPtr, x], 0, m.rows) as tf.Tensor1D;
  },
};

/** The CSR products for a tfjs backend: the WGSL kernels on WebGPU, tfjs ops elsewhere. */
export function csrKernelsFor(backend: string): CsrKernels {
  return backend === 'webgpu' ? wgslCsrKernels : tfjsCsrKernels;
}
