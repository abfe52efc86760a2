/**
 * Frees what a failed gradient leaves behind. tfjs keeps every tensor a tape node saves for its
 * backward pass (`node.saved`, kept tensors) until the gradient finishes, and disposes them only on
 * success (tfjs-core 4.22 engine.ts `gradients`). When the forward or backward pass throws — the
 * WASM heap exhausted (tensor/heapGuard.ts), a cancel, a bug — the tape stays on the engine with its
 * saved activations until the next first-order gradient replaces it, and even then they are never
 * disposed: at BERT-base that is gigabytes held by a worker the user is about to reuse with a
 * smaller batch.
 *
 * Why hand-written: tfjs has no public way to drop a tape; this reads the engine's state, as
 * tensor/eagerRelease.ts does.
 */
import * as tf from '@tensorflow/tfjs-core';

interface EngineState {
  state: { activeTape: { saved?: tf.Tensor[] | null }[] | null; gradientDepth: number };
}

/**
 * After a first-order gradient threw: disposes the saved tensors of the engine's leftover tape and
 * drops it. Does nothing inside an outer gradient (depth > 0), whose tape is still in use.
 * @returns the number of saved tensors disposed.
 */
export function releaseAbandonedTape(): number {
  const { state } = tf.engine() as unknown as EngineState;
  if (state.gradientDepth !== 0 || state.activeTape === null) return 0;
  let freed = 0;
  for (const node of state.activeTape) {
    for (const t of node.saved ?? []) {
      if (!t.isDisposed) freed++;
      t.dispose();
    }
    node.saved = null;
  }
  state.activeTape = null;
  return freed;
}
