/**
 * Holding a checkpoint's weights as IEEE half precision (F16) between analyses: half the memory of
 * the F32 host tensors, for a browser tab holding several BERT-base checkpoints (3 × 438 MB as F32).
 * An F16 checkpoint file is held exactly; F32 weights are rounded to nearest even (relative change
 * ≤ 2⁻¹¹ per normal value), which the caller must say on screen — `rounded` and `relativeChange`
 * report it. An analysis widens the halves back to F32 host tensors (exact) for its duration.
 */
import { f16ToF32, f32ToF16 } from '../io/safetensors';
import { InputError } from '../util/errors';
import type { LoadedCheckpoint } from './checkpoint';

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
  for (const [name, t] of tensors) {
    const h = f32ToF16(t.data);
    const back = f16ToF32(h);
    const x = t.data;
    for (let i = 0; i < x.length; i++) {
      const d = back[i] - x[i];
      if (d !== 0) {
        if (!Number.isFinite(back[i]) && Number.isFinite(x[i]))
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

/** The held halves as F32 host tensors (exact widening; fresh arrays the caller may keep or drop). */
export function widenHalfHeld(held: HalfHeldCheckpoint): LoadedCheckpoint {
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, t] of held.halves) tensors.set(name, { shape: t.shape, data: f16ToF32(t.halves) });
  return { ...held.meta, tensors };
}

/** Bytes of weights a checkpoint holds: 4 per parameter as F32, 2 as F16. */
export function heldWeightBytes(parameters: number, dtype: 'F32' | 'F16'): number {
  return parameters * (dtype === 'F32' ? 4 : 2);
}
