/**
 * Holding a checkpoint's weights as IEEE half precision (F16) between analyses: half the memory of
 * the F32 host tensors, for a browser tab holding several BERT-base checkpoints (3 × 438 MB as F32).
 * An F16 checkpoint file is held exactly; F32 weights are rounded to nearest even (relative change
 * ≤ 2⁻¹¹ per normal value), which the caller must say on screen — `rounded` and `relativeChange`
 * report it. An analysis reads F32 host tensors widened from the halves (exact) when it reads them,
 * memoised weakly, so between analyses only the halves stay. A WeakRef keeps what it hands out alive
 * until the current synchronous job ends, so code that reads every tensor in one synchronous pass (the
 * plane fill) takes the halves through `halvesOf` instead, or it would hold a whole F32 copy at once.
 */
import { f16ToF32, f32ToF16, halfTable } from '../io/safetensors';
import { InputError } from '../util/errors';
import type { HostTensor, LoadedCheckpoint } from './checkpoint';

/** A checkpoint whose tensors are kept as F16 bit patterns (PyTorch layouts, as LoadedCheckpoint's). */
export interface HalfHeldCheckpoint {
  meta: Omit<LoadedCheckpoint, 'tensors'>;
  halves: Map<string, { shape: number[]; halves: Uint16Array }>;
  /** True when some weight was not exactly representable in F16 (an F32 file), false for an F16 file's. */
  rounded: boolean;
  /** ‖θ_F16 − θ‖ / ‖θ‖ over all tensors (0 when nothing was rounded). */
  relativeChange: number;
}

/**
 * Rounds every tensor of `ckpt` to F16. Throws an InputError naming the tensor when a finite weight
 * exceeds F16's range (|x| > 65504), which would become infinite: such a checkpoint stays F32.
 */
export function holdAsHalf(ckpt: LoadedCheckpoint): HalfHeldCheckpoint {
  const { tensors, ...meta } = ckpt;
  const halves = new Map<string, { shape: number[]; halves: Uint16Array }>();
  let diff2 = 0;
  let norm2 = 0;
  const table = halfTable();
  for (const [name, t] of tensors) {
    const h = f32ToF16(t.data);
    const x = t.data;
    for (let i = 0; i < x.length; i++) {
      const back = table[h[i]];
      const d = back - x[i];
      if (d !== 0) {
        if (!Number.isFinite(back) && Number.isFinite(x[i]))
          throw new InputError(
            `${ckpt.name}: ${name} holds ${x[i]}, beyond F16's range (±65504); it can only be held as F32`,
          );
        diff2 += d * d;
      }
      norm2 += x[i] * x[i];
    }
    halves.set(name, { shape: t.shape, halves: h });
  }
  return { meta, halves, rounded: diff2 > 0, relativeChange: norm2 > 0 ? Math.sqrt(diff2 / norm2) : 0 };
}

/**
 * A host tensor widened from F16 halves when its `data` is read. The F32 array is memoised weakly:
 * while anyone holds it (and until the synchronous job that read it ends) every read returns the same
 * array; after that it can be collected and the next read widens again. Its values are never written back: consumers must treat `data` as
 * read-only (the landscape engine copies what it changes).
 */
class WidenedTensor {
  private memo?: WeakRef<Float32Array>;
  constructor(
    readonly shape: number[],
    readonly halves: Uint16Array,
  ) {}

  get data(): Float32Array {
    let d = this.memo?.deref();
    if (!d) {
      d = f16ToF32(this.halves);
      this.memo = new WeakRef(d);
    }
    return d;
  }
}

/** The F16 bit patterns behind a tensor of `widenHalfHeld`'s (read them instead of widening), else undefined. */
export function halvesOf(t: HostTensor): Uint16Array | undefined {
  return t instanceof WidenedTensor ? t.halves : undefined;
}

/** The held halves as F32 host tensors (PyTorch layouts), each widened when first read (exact). */
export function widenHalfHeld(held: HalfHeldCheckpoint): LoadedCheckpoint {
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, t] of held.halves) tensors.set(name, new WidenedTensor(t.shape, t.halves));
  return { ...held.meta, tensors };
}

/** Bytes of weights a checkpoint holds: 4 per parameter as F32, 2 as F16. */
export function heldWeightBytes(parameters: number, dtype: 'F32' | 'F16'): number {
  return parameters * (dtype === 'F32' ? 4 : 2);
}
