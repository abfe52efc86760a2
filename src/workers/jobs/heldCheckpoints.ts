/**
 * The worker's checkpoints between analyses, each held as the user asked: F32 host tensors (as
 * loaded), or F16 halves (half the memory; engine/bert/halfHold.ts) widened to F32 for an analysis
 * and dropped when no job holds them any more (a WeakRef, so two roles of one job share one copy).
 * Turning F16 back to F32 re-reads the dropped files when the halves were rounded, so the original
 * F32 values come back rather than the rounded ones.
 */
import type { LoadedCheckpoint } from '../../engine/bert/checkpoint';
import { heldWeightBytes, holdAsHalf, widenHalfHeld, type HalfHeldCheckpoint } from '../../engine/bert/halfHold';
import type { ShapedCheckpoint } from '../../engine/landscape/compat';
import { InputError } from '../../engine/util/errors';
import type { CheckpointHold, HoldDtype } from '../contracts/landscape';

interface Held {
  /** Re-reads the checkpoint from its dropped files (F32 values as stored). */
  reload: () => Promise<LoadedCheckpoint>;
  parameters: number;
  full?: LoadedCheckpoint;
  half?: HalfHeldCheckpoint;
  widened?: WeakRef<LoadedCheckpoint>;
}

const held = new Map<string, Held>();

const missing = (id: string, role: string) => new InputError(`${role}: checkpoint ${id} is not loaded (drop it again)`);

/** Parameters in a loaded checkpoint (all its tensors' values). */
export function parametersOf(ckpt: LoadedCheckpoint): number {
  let n = 0;
  for (const t of ckpt.tensors.values()) n += t.data.length;
  return n;
}

function holdOf(h: Held): CheckpointHold {
  const dtype: HoldDtype = h.half ? 'F16' : 'F32';
  return {
    dtype,
    bytes: heldWeightBytes(h.parameters, dtype),
    rounded: h.half?.rounded ?? false,
    relativeChange: h.half?.relativeChange ?? 0,
  };
}

/** Keeps a freshly loaded checkpoint under `id`, as `dtype`. */
export function keepCheckpoint(
  id: string,
  ckpt: LoadedCheckpoint,
  reload: () => Promise<LoadedCheckpoint>,
  dtype: HoldDtype,
): CheckpointHold {
  const h: Held = { reload, parameters: parametersOf(ckpt), full: ckpt };
  held.set(id, h);
  return dtype === 'F16' ? toHalf(h) : holdOf(h);
}

function toHalf(h: Held): CheckpointHold {
  if (!h.half && h.full) {
    h.half = holdAsHalf(h.full);
    h.full = undefined;
  }
  return holdOf(h);
}

/** Re-holds checkpoint `id` as `dtype`; back to F32 re-reads the files when the halves were rounded. */
export async function holdCheckpoint(id: string, dtype: HoldDtype): Promise<CheckpointHold> {
  const h = held.get(id);
  if (!h) throw missing(id, 'hold');
  if (dtype === 'F16') return toHalf(h);
  if (h.half) {
    h.full = h.half.rounded ? await h.reload() : widenHalfHeld(h.half);
    h.half = undefined;
    h.widened = undefined;
  }
  return holdOf(h);
}

/** The checkpoint `id` as F32 host tensors for an analysis; throws naming the role when it is gone. */
export function checkpoint(id: string, role: string): LoadedCheckpoint {
  const h = held.get(id);
  if (!h) throw missing(id, role);
  if (h.full) return h.full;
  const cached = h.widened?.deref();
  if (cached) return cached;
  const wide = widenHalfHeld(h.half!);
  h.widened = new WeakRef(wide);
  return wide;
}

/** Name, config and tensor shapes of checkpoint `id`, without widening F16 halves. */
export function checkpointShapes(id: string, role: string): ShapedCheckpoint {
  const h = held.get(id);
  if (!h) throw missing(id, role);
  if (h.full) return h.full;
  return { name: h.half!.meta.name, config: h.half!.meta.config, tensors: h.half!.halves };
}

/** Forgets checkpoint `id`; true when it was held. */
export function forgetCheckpoint(id: string): boolean {
  return held.delete(id);
}
