/**
 * The pure parts of quota-aware persistence: whether a set of files fits in what the browser says is
 * free (`navigator.storage.estimate()`), the one-line message a checkpoint kept in memory only shows,
 * and an all-or-nothing write that deletes what it wrote when any part fails, so the store is never
 * half-written. No browser APIs here, so unit tests can drive every branch.
 */

/** What `navigator.storage.estimate()` reports (either field may be missing). */
export interface StorageEstimateLike {
  usage?: number;
  quota?: number;
}

/** The fit decision for `bytes` more in the store. */
export type FitDecision =
  { fits: true; known: boolean } | { fits: false; needed: number; free: number; reason: string };

/** Headroom kept free beyond the files themselves: IndexedDB's own records and a write's overhead. */
export function storageMargin(bytes: number): number {
  return 1024 * 1024 + Math.ceil(0.02 * bytes);
}

/**
 * Decides whether `bytes` (plus {@link storageMargin}) fit in the quota left by current usage. With no
 * estimate (an old browser, or one that does not report both numbers) the answer is "fits, unknown":
 * the caller then tries the write and relies on its rollback.
 */
export function decideFit(estimate: StorageEstimateLike | null, bytes: number): FitDecision {
  if (!estimate || !Number.isFinite(estimate.usage) || !Number.isFinite(estimate.quota))
    return { fits: true, known: false };
  const free = Math.max(0, estimate.quota! - estimate.usage!);
  if (bytes + storageMargin(bytes) <= free) return { fits: true, known: true };
  return {
    fits: false,
    needed: bytes,
    free,
    reason: `needs ${formatBytes(bytes)}, ${formatBytes(free)} of browser storage free`,
  };
}

/** Bytes as a short human-readable size (decimal units, as browsers and file managers show them). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'unknown';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = Math.max(0, bytes);
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? v.toFixed(0) : v < 10 ? v.toFixed(1) : v.toFixed(0)} ${units[u]}`;
}

/** The line a checkpoint kept in memory only shows in the tray. */
export function memoryOnlyMessage(reason: string): string {
  return `kept in memory only: ${reason} — it will not survive a reload`;
}

/** The reason a failed write gives, naming the browser's error (QuotaExceededError and the like). */
export function writeFailureReason(err: unknown): string {
  const name = err instanceof Error || (typeof err === 'object' && err && 'name' in err) ? (err as Error).name : '';
  const message = err instanceof Error ? err.message : String(err);
  const what =
    name === 'QuotaExceededError' ? 'the browser ran out of storage quota' : 'the browser could not store it';
  return `${what} (${[name, message].filter(Boolean).join(': ')})`;
}

/** How an all-or-nothing write ended. */
export type WriteOutcome = { ok: true } | { ok: false; error: unknown; rolledBack: boolean };

/**
 * Runs `write`; if it throws, runs `rollback` (which must delete every record `write` may have
 * written) and reports the write's error. A rollback that fails too is reported as not rolled back,
 * so the caller can say so; it never throws.
 */
export async function writeAllOrNothing(
  write: () => Promise<void>,
  rollback: () => Promise<void>,
): Promise<WriteOutcome> {
  try {
    await write();
    return { ok: true };
  } catch (error) {
    try {
      await rollback();
      return { ok: false, error, rolledBack: true };
    } catch {
      return { ok: false, error, rolledBack: false };
    }
  }
}

/** A saved checkpoint record and the file records found for it. */
export interface SavedCheckpointParts {
  /** File names the record says were saved. */
  expected: readonly string[];
  /** File names of the file records present (with their blob). */
  present: readonly string[];
}

/** True when every file a checkpoint record lists is present: only such checkpoints are restored. */
export function isCompleteCheckpoint({ expected, present }: SavedCheckpointParts): boolean {
  if (expected.length === 0) return false;
  const have = new Set(present);
  return present.length === expected.length && expected.every((name) => have.has(name));
}
