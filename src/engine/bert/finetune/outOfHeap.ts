/**
 * What fine-tuning tells the user when a micro-batch does not fit in the WebAssembly heap (4 GB per
 * thread; tensor/heapGuard.ts): which step and micro-batch, the heap figures, and the flags that keep
 * the update's size while shrinking what one thread holds at once (HF's per-device batch ×
 * gradient_accumulation_steps: `--batch B --accumulate N` updates on B·N examples, B at a time).
 */
import { InputError } from '../../util/errors';

/** The one-line error for a {@link HeapExhaustedError} during update `step`. */
export function outOfHeapError(
  step: number,
  o: { batch: number; accumulate: number; maxLength: number; replicas: number },
  cause: Error,
): InputError {
  const perThread = Math.ceil(o.batch / o.replicas);
  const shape = `${o.batch} examples × up to ${o.maxLength} tokens${o.replicas > 1 ? ` (${perThread} per thread)` : ''}`;
  const remedy =
    o.batch > 1
      ? `use --batch ${Math.ceil(o.batch / 2)} --accumulate ${o.accumulate * 2} (the same ${o.batch * o.accumulate} examples per update, half at a time) or a shorter --max-length`
      : 'use a shorter --max-length';
  return new InputError(`fine-tune step ${step}: a micro-batch of ${shape} does not fit: ${cause.message}; ${remedy}`);
}
