/**
 * The browser's storage as the app sees it: `navigator.storage.estimate()` (usage and quota) and the
 * answer to `navigator.storage.persist()`, asked once, at the first save of a dropped checkpoint.
 * Kept in a small store so the System view can show it; where the APIs are absent it says so.
 */
import { create } from 'zustand';
import type { StorageEstimateLike } from './storageFit';

/** What the System view shows about browser storage. */
export interface BrowserStorageState {
  /** The latest estimate; null before the first or where `navigator.storage.estimate` is absent. */
  estimate: StorageEstimateLike | null;
  /** Whether the storage API exists at all in this browser. */
  supported: boolean;
  /** The origin's storage is persistent (not evicted under pressure); null when not known. */
  persisted: boolean | null;
  /** True once `persist()` was asked (it is asked once per page). */
  persistAsked: boolean;
  /** Reads the estimate (and `persisted()`) again. */
  refresh(): Promise<StorageEstimateLike | null>;
}

const storage = (): StorageManager | undefined =>
  typeof navigator === 'undefined' ? undefined : (navigator.storage as StorageManager | undefined);

/** Calls one StorageManager method if this browser has it; null when absent or when it fails. */
async function ask<T>(call: (s: StorageManager) => Promise<T> | undefined): Promise<T | null> {
  const s = storage();
  try {
    return (s ? await call(s) : null) ?? null;
  } catch {
    return null;
  }
}

export const useBrowserStorage = create<BrowserStorageState>((set) => ({
  estimate: null,
  supported: typeof storage()?.estimate === 'function',
  persisted: null,
  persistAsked: false,

  async refresh() {
    const estimate: StorageEstimateLike | null = await ask((s) => s.estimate?.());
    const persisted = await ask((s) => s.persisted?.());
    set((prev) => ({ estimate, persisted: persisted ?? prev.persisted }));
    return estimate;
  },
}));

let persistRequest: Promise<boolean | null> | null = null;

/**
 * Asks `navigator.storage.persist()` once per page and records the answer; later calls return the
 * first answer. Null where the API is absent or the request failed.
 */
export function askPersistOnce(): Promise<boolean | null> {
  persistRequest ??= (async () => {
    const granted = await ask((s) => s.persist?.());
    useBrowserStorage.setState({ persistAsked: true, persisted: granted });
    return granted;
  })();
  return persistRequest;
}
