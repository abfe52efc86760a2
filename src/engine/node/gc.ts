/**
 * Node-only: a full garbage collection on request, so large buffers whose last reference was just
 * dropped (a checkpoint's file bytes, once copied into a landscape plane) are returned to the system
 * before the next large allocation instead of whenever V8 next decides to collect. Uses `global.gc`
 * when Node runs with --expose-gc, else enables it for this isolate through `v8.setFlagsFromString`
 * (the documented V8 flag) and takes the function from a fresh context.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null = null;

/** Runs a full collection (best effort: does nothing if the runtime refuses). */
export function collectGarbage(): void {
  try {
    if (!gc) {
      const exposed = (globalThis as { gc?: () => void }).gc;
      if (exposed) gc = exposed;
      else {
        setFlagsFromString('--expose-gc');
        gc = runInNewContext('gc') as () => void;
      }
    }
    gc();
  } catch {
    gc = () => undefined;
  }
}
