/**
 * Running sums of parameter-sized tensor lists (gradients over micro-batches, replicas' parts) that
 * cost no memory beyond the sum itself where the backend's memory is the host's (WASM, CPU): the
 * addend is added into the accumulator through host views, element by element rounded to float32 —
 * exactly what `tf.add` computes — instead of allocating a third parameter-sized list while the old
 * sum and the addend are still alive. At BERT-base that third list is 438 MB of a WebAssembly heap
 * capped at 4 GB per thread. GPU backends keep `tf.add` (no host views there).
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterWrite, hasHostViews, hostView } from './inPlace';

/**
 * Makes `ts` (kept float32 tensors the caller owns; WASM or CPU) safe to write in place: a tensor
 * sharing its data with an earlier one in the list (autodiff may return one buffer for two inputs)
 * is replaced by a copy.
 */
export function ownedList(ts: tf.Tensor[]): tf.Tensor[] {
  const seen = new Set<tf.DataId>();
  const objects = new Set<tf.Tensor>();
  return ts.map((t) => {
    const again = objects.has(t); // the same tensor object twice: the first entry still uses it
    objects.add(t);
    if (!seen.has(t.dataId)) {
      seen.add(t.dataId);
      return t;
    }
    const view = hostView(t);
    if (!view) throw new Error('ownedList: needs host views (WASM or CPU) and float32 tensors');
    const copy = tf.keep(tf.tensor(view.slice(), t.shape, 'float32'));
    if (!again) t.dispose();
    return copy;
  });
}

/** acc[j] ← fround(acc[j] + add[j]) (float32 addition, as `tf.add`); `acc` and `add` the same length. */
export function addIntoView(acc: Float32Array, add: ArrayLike<number>): void {
  const f = Math.fround;
  for (let j = 0; j < acc.length; j++) acc[j] = f(acc[j] + add[j]);
}

/**
 * Σ so far plus `add` (kept tensors, same shapes, in one order), disposing `add`. `acc` empty: `add`
 * becomes the sum (made writable by {@link ownedList} on host backends). With host views the sum is written into `acc`
 * and `acc` is returned; otherwise new kept tensors replace it (the old ones disposed).
 */
export function accumulateInto(acc: tf.Tensor[], add: tf.Tensor[]): tf.Tensor[] {
  if (acc.length === 0) {
    const kept = add.map((t) => tf.keep(t));
    return hasHostViews() ? ownedList(kept) : kept; // only written in place where there are host views
  }
  const views = acc.map((a, i) => [hostView(a), hostView(add[i])] as const);
  if (views.every(([a, b]) => a !== null && b !== null)) {
    // Every write before any afterWrite: re-registering a tensor may allocate in the WASM module and
    // grow its memory, which would detach the views not yet written.
    for (const [a, b] of views) addIntoView(a!, b!);
    for (const a of acc) afterWrite(a);
    tf.dispose(add);
    return acc;
  }
  const out = acc.map((a, i) => tf.keep(tf.add(a, add[i])));
  tf.dispose(acc);
  tf.dispose(add);
  return out;
}
