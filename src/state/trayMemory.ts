/**
 * What the landscape tray's weights cost in the worker, and whether that is close to what the device
 * has: the held bytes (F32 or F16 per checkpoint), what an analysis adds while it runs (a surface on
 * the plane replica: θ0, two directions and the working copy, ~4× one checkpoint's F32 moving weights),
 * and a warning when both together pass half of `navigator.deviceMemory` (browsers round it down and
 * cap it at 8 GB; a tab gets a share of it). Pure, so unit tests drive every branch.
 */
import type { CheckpointSummary } from '../workers/contracts/landscape';
import { formatBytes } from './storageFit';

export interface TrayMemory {
  /** Bytes of weights the worker holds for the tray's checkpoints. */
  heldBytes: number;
  /** Bytes an analysis adds while it runs (~4 × the largest checkpoint's F32 weights). */
  analysisBytes: number;
  /** Held + analysis above half the reported device memory. */
  tight: boolean;
  /** One line for the tray. */
  message: string;
}

/** The tray's memory for `summaries` (ready checkpoints) on a device reporting `deviceMemoryGB` (undefined: not reported). */
export function trayMemory(
  summaries: readonly Pick<CheckpointSummary, 'parameters' | 'hold'>[],
  deviceMemoryGB?: number,
): TrayMemory {
  const heldBytes = summaries.reduce((sum, s) => sum + s.hold.bytes, 0);
  const largest = summaries.reduce((m, s) => Math.max(m, s.parameters), 0);
  const analysisBytes = 4 * 4 * largest;
  const device = deviceMemoryGB && deviceMemoryGB > 0 ? deviceMemoryGB * 2 ** 30 : undefined;
  const tight = device !== undefined && heldBytes + analysisBytes > device / 2;
  const base = `The tray holds ${formatBytes(heldBytes)} of weights in the worker; a surface needs up to ${formatBytes(analysisBytes)} more while it runs.`;
  const all16 = summaries.every((s) => s.hold.dtype === 'F16');
  const advice = all16
    ? 'remove checkpoints you do not need'
    : 'hold the weights as F16 or remove checkpoints you do not need';
  const message = tight
    ? `${base} This device reports ${deviceMemoryGB} GB of memory (browsers cap the figure at 8): if the tab runs out, ${advice}.`
    : base;
  return { heldBytes, analysisBytes, tight, message };
}
