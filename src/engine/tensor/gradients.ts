/**
 * Gradient functions for the tfjs kernels BERT's differentiable forward pass uses
 * (engine/bert/gradForward.ts), registered with `tf.registerGradient` where none is registered yet.
 *
 * Why: tfjs-core 4.22 ships its gradient functions only as ES module files
 * (`dist/register_all_gradients.js`) that the union package `@tensorflow/tfjs` imports; neither the
 * core's Node bundle (`tf-core.node.js`, what the CLI loads) nor its ESM entry registers them, and the
 * ESM files cannot be loaded by plain Node (extensionless imports in a CommonJS package). So without
 * this module `tf.grads` fails with "gradient function not found". The maths follows tfjs-core's own
 * `src/gradients/*_grad.ts` (Apache-2.0); every gradient is written with ops whose gradients are
 * registered here too, so gradients can be nested (the exact Hessian-vector product of grad.ts).
 *
 * Call {@link registerGradients} once before recording a tape (idempotent).
 */
import * as tf from '@tensorflow/tfjs-core';
import { matMulFast } from './matmul';

type Saved = tf.Tensor[];
type Attrs = Record<string, unknown>;

/** Sums `dy` over the axes broadcasting added to `shape`, then reshapes to `shape`. */
function unbroadcast(dy: tf.Tensor, shape: number[], outShape: number[]): tf.Tensor {
  const axes = tf.broadcast_util.getReductionAxes(shape, outShape);
  return tf.reshape(axes.length > 0 ? tf.sum(dy, axes) : dy, shape);
}

function binary(
  kernelName: string,
  f: (a: tf.Tensor, b: tf.Tensor, dy: tf.Tensor) => [tf.Tensor, tf.Tensor],
): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved as Saved;
      const out = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
      return {
        a: () => unbroadcast(f(a, b, dy as tf.Tensor)[0], a.shape, out),
        b: () => unbroadcast(f(a, b, dy as tf.Tensor)[1], b.shape, out),
      };
    },
  };
}

function unary(kernelName: string, f: (x: tf.Tensor, dy: tf.Tensor, attrs: Attrs) => tf.Tensor): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => ({ x: () => f((saved as Saved)[0], dy as tf.Tensor, attrs as Attrs) }),
  };
}

/** Broadcasts dy of a reduction over `axis` (attrs) back to x's shape. */
function expandReduced(x: tf.Tensor, dy: tf.Tensor, axisAttr: unknown): tf.Tensor {
  const axes = tf.util.parseAxisParam(axisAttr as number | number[], x.shape);
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return tf.mul(tf.reshape(dy, kept), tf.ones(x.shape, 'float32'));
}

const CONFIGS: tf.GradConfig[] = [
  binary('Add', (_a, _b, dy) => [dy, dy]),
  binary('Sub', (_a, _b, dy) => [dy, tf.neg(dy)]),
  binary('Multiply', (a, b, dy) => [tf.mul(dy, b), tf.mul(dy, a)]),
  binary('RealDiv', (a, b, dy) => [tf.div(dy, b), tf.neg(tf.div(tf.mul(dy, a), tf.square(b)))]),
  {
    kernelName: 'BatchMatMul',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs) => {
      const [a, b] = saved as Saved;
      const d = dy as tf.Tensor;
      const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
      const mm = (x: tf.Tensor, y: tf.Tensor, tx: boolean, ty: boolean): tf.Tensor => matMulFast(x, y, tx, ty);
      if (!transposeA && !transposeB) return { a: () => mm(d, b, false, true), b: () => mm(a, d, true, false) };
      if (!transposeA && transposeB) return { a: () => mm(d, b, false, false), b: () => mm(d, a, true, false) };
      if (transposeA && !transposeB) return { a: () => mm(b, d, false, true), b: () => mm(a, d, false, false) };
      return { a: () => mm(b, d, true, true), b: () => mm(d, a, true, true) };
    },
  },
  unary('Reshape', (x, dy) => tf.reshape(dy, x.shape)),
  unary('Transpose', (_x, dy, attrs) => {
    const perm = attrs.perm as number[];
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return tf.transpose(dy, inverse);
  }),
  unary('Slice', (x, dy, attrs) => {
    const [begin, size] = tf.slice_util.parseSliceParams(x, attrs.begin as number[], attrs.size as number[]);
    return tf.pad(
      dy,
      x.shape.map((d, i) => [begin[i], d - begin[i] - size[i]] as [number, number]),
    );
  }),
  unary('PadV2', (x, dy, attrs) => {
    const paddings = attrs.paddings as [number, number][];
    return tf.slice(
      dy,
      paddings.map((p) => p[0]),
      x.shape,
    );
  }),
  unary('Sum', (x, dy, attrs) => expandReduced(x, dy, attrs.axis)),
  unary('Mean', (x, dy, attrs) => {
    const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
    const n = axes.reduce((p, a) => p * x.shape[a], 1);
    return tf.div(expandReduced(x, dy, attrs.axis), n);
  }),
  unary('Square', (x, dy) => tf.mul(dy, tf.mul(x, 2))),
  unary('Rsqrt', (x, dy) => tf.mul(dy, tf.mul(tf.div(tf.rsqrt(x), x), -0.5))),
  unary('Erf', (x, dy) => tf.mul(dy, tf.mul(tf.exp(tf.neg(tf.square(x))), 2 / Math.sqrt(Math.PI)))),
  unary('Exp', (x, dy) => tf.mul(dy, tf.exp(x))),
  unary('Log', (x, dy) => tf.div(dy, x)),
  unary('Neg', (_x, dy) => tf.neg(dy)),
  unary('Tanh', (x, dy) => tf.mul(dy, tf.sub(1, tf.square(tf.tanh(x))))),
  unary('Relu', (x, dy) => tf.mul(dy, tf.step(x))),
  unary('Step', (x) => tf.zerosLike(x)),
  unary('Identity', (_x, dy) => dy),
  unary('Cast', (_x, dy) => dy),
  {
    kernelName: 'Pow',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      // The exponent is a constant here (gelu_new's x³): its gradient is zero.
      const [a, b] = saved as Saved;
      const out = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
      return {
        a: () => unbroadcast(tf.mul(dy as tf.Tensor, tf.mul(b, tf.pow(a, tf.sub(b, 1)))), a.shape, out),
        b: () => tf.zerosLike(b),
      };
    },
  },
  {
    kernelName: 'Softmax',
    inputsToSave: ['logits'],
    gradFunc: (dy, saved, attrs) => {
      const [logits] = saved as Saved;
      const dim = (attrs as unknown as { dim: number }).dim;
      return {
        logits: () => {
          const y = tf.softmax(logits, dim);
          const d = dy as tf.Tensor;
          return tf.mul(y, tf.sub(d, tf.sum(tf.mul(d, y), dim, true)));
        },
      };
    },
  },
  {
    kernelName: 'AddN',
    saveAllInputs: true,
    gradFunc: (dy, saved) => Object.fromEntries((saved as Saved).map((_, i) => [i, () => (dy as tf.Tensor).clone()])),
  },
  {
    kernelName: 'GatherV2',
    inputsToSave: ['x', 'indices'],
    gradFunc: (dy, saved, attrs) => {
      const [x, indices] = saved as Saved;
      const { axis, batchDims } = attrs as unknown as { axis: number; batchDims: number };
      if (axis !== 0 || batchDims !== 0 || indices.rank !== 1)
        throw new Error('GatherV2 gradient: axis 0, 1-D indices only');
      return {
        x: () => tf.unsortedSegmentSum(dy as tf.Tensor, indices as tf.Tensor1D, x.shape[0]),
        indices: () => tf.zerosLike(indices),
      };
    },
  },
  {
    kernelName: 'UnsortedSegmentSum',
    inputsToSave: ['segmentIds'],
    gradFunc: (dy, saved) => {
      const [ids] = saved as Saved;
      return { x: () => tf.gather(dy as tf.Tensor, ids as tf.Tensor1D), segmentIds: () => tf.zerosLike(ids) };
    },
  },
];

let registered = false;

/** Registers the gradients above for every kernel that has none yet (idempotent). */
export function registerGradients(): void {
  if (registered) return;
  registered = true;
  for (const c of CONFIGS) if (!tf.getGradient(c.kernelName)) tf.registerGradient(c);
}

/** The kernels this module gives gradients to. */
export const GRADIENT_KERNELS: readonly string[] = CONFIGS.map((c) => c.kernelName);
