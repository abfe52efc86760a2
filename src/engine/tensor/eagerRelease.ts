/**
 * Runs a first-order gradient with each intermediate gradient freed as soon as backprop has used it.
 *
 * tfjs-core 4.22's backprop (tape.ts `backpropagateGradients`) keeps the gradient of every
 * intermediate tensor in one map until the whole backward pass ends, so its peak memory is the tape
 * plus the gradients of *all* activations at once. The gradient of a node's outputs is read only
 * when that node is processed (the tape runs in reverse topological order), so once the next node
 * starts it can go. Measured on BERT-base (4 examples × 64 tokens, one WASM thread, with
 * tensor/linearFirstOrder.ts): the heap grew to 1,875 MB for one gradient, against 2,211 MB without
 * this (and 2,952 MB with neither).
 *
 * How: for the duration of `f`, each tape node recorded gets its gradient function wrapped; when a
 * node's gradient is called, the previous node's output gradients are disposed — except any that a
 * gradient function returned as an input's gradient (the same tensor object) and kept tensors (a `dy`
 * given by the caller). Only at gradient depth 0 (a first-order gradient); inside a nested gradient
 * (Hessian-vector products) the outer tape may still need them, so nothing is freed. Scoped, like
 * tensor/sharedIdentity.ts: the engine's own method is back when `f` returns.
 *
 * Why hand-written: tfjs has no option for it; this wraps `Engine.addTapeNode` on the engine instance.
 */
import * as tf from '@tensorflow/tfjs-core';

type Thunks = Record<string, () => tf.Tensor>;
interface TapeNode {
  gradient?: (dys: (tf.Tensor | null)[]) => Thunks;
}
interface EngineLike {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  addTapeNode(...args: unknown[]): void;
}

/** `f()` with intermediate gradients released early (see the header). Not re-entrant: a nested call just runs `f`. */
export function withEagerRelease<T>(f: () => T): T {
  const engine = tf.engine() as unknown as EngineLike;
  if (Object.prototype.hasOwnProperty.call(engine, 'addTapeNode')) return f();
  const record = engine.addTapeNode;
  let previous: tf.Tensor[] = [];
  let produced = new Set<tf.Tensor>();
  const release = () => {
    for (const t of previous) if (!t.kept && !produced.has(t)) t.dispose();
    previous = [];
    produced = new Set();
  };
  engine.addTapeNode = function (this: EngineLike, ...args: unknown[]) {
    record.apply(this, args);
    const tape = this.state.activeTape;
    const node = tape?.[tape.length - 1];
    const gradient = node?.gradient;
    if (!node || !gradient) return;
    node.gradient = (dys) => {
      if (this.state.gradientDepth !== 0) return gradient(dys);
      release(); // the node processed before this one is done with its output gradients
      const thunks = gradient(dys);
      const mine = new Set<tf.Tensor>();
      const wrapped: Thunks = {};
      for (const name of Object.keys(thunks))
        wrapped[name] = () => {
          const dx = thunks[name]();
          mine.add(dx);
          return dx;
        };
      previous = dys.filter((d): d is tf.Tensor => d !== null);
      produced = mine;
      return wrapped;
    };
  };
  try {
    return f();
  } finally {
    delete (engine as Partial<EngineLike>).addTapeNode;
    previous = [];
  }
}
