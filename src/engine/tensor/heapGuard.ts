/**
 * A clear error when the WASM backend's heap is full. tfjs-backend-wasm allocates every tensor with
 * the module's `_malloc`, which (growable memory, no aborting malloc) returns 0 when the 4 GB a
 * WebAssembly memory can reach is used up; tfjs does not check, registers the tensor at address 0 and
 * writes there, so the process later dies with "memory access out of bounds" or `Aborted()`, or
 * computes on corrupted memory. {@link guardWasmHeap} wraps `_malloc` so such an allocation throws
 * {@link HeapExhaustedError} instead, before anything is written; tfjs's scopes then free what the
 * failed computation had allocated, and the backend stays usable.
 *
 * Why hand-written: tfjs has no hook for allocation failure; this touches the backend's module the
 * way tensor/inPlace.ts does.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../util/errors';

interface WasmModule {
  _malloc(bytes: number): number;
  asm?: { malloc?: (bytes: number) => number; memory?: WebAssembly.Memory };
  __heapGuarded?: boolean;
}

/** The most a WebAssembly memory (wasm32) can grow to, in bytes: 65535 pages of 64 KiB. */
export const WASM_HEAP_MAX_BYTES = 65535 * 65536;

/**
 * An allocation the WebAssembly heap could not satisfy: the work needs more memory than one thread's
 * heap can hold. Reported as bad settings (an input error): the remedy is a smaller batch or input.
 */
export class HeapExhaustedError extends InputError {
  constructor(
    /** Bytes the failed allocation asked for. */
    readonly requested: number,
    /** The heap's size when it failed, in bytes. */
    readonly heapBytes: number,
  ) {
    super(
      `out of WebAssembly memory: ${mb(requested)} MB more did not fit in this thread's heap ` +
        `(${mb(heapBytes)} MB of at most ${mb(WASM_HEAP_MAX_BYTES)} MB)`,
    );
    this.name = 'HeapExhaustedError';
  }
}

const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

/** True for {@link HeapExhaustedError}, also after a worker boundary (where only the name survives). */
export function isHeapExhausted(err: unknown): boolean {
  return err instanceof HeapExhaustedError || (err instanceof Error && err.name === 'HeapExhaustedError');
}

/** Wraps `malloc` so that a failed allocation of n > 0 bytes, or one past the heap's limit, throws {@link HeapExhaustedError}. */
export function checkedMalloc(malloc: (bytes: number) => number, heapBytes: () => number): (bytes: number) => number {
  return (bytes: number) => {
    // wasm32's malloc takes a 32-bit size: a larger request would wrap around to a smaller block.
    if (bytes > WASM_HEAP_MAX_BYTES) throw new HeapExhaustedError(bytes, heapBytes());
    const at = malloc(bytes);
    if (at === 0 && bytes > 0) throw new HeapExhaustedError(bytes, heapBytes());
    return at;
  };
}

/** Installs {@link checkedMalloc} on the current WASM backend's module (once; no-op on other backends). */
export function guardWasmHeap(): void {
  if (tf.getBackend() !== 'wasm') return;
  const wasm = (tf.backend() as unknown as { wasm: WasmModule }).wasm;
  if (wasm.__heapGuarded) return;
  // The raw export, not `_malloc`: Emscripten's `_malloc` is a stub that replaces itself on first call.
  const raw = wasm.asm?.malloc;
  if (typeof raw !== 'function') throw new Error('guardWasmHeap: the WASM module exposes no malloc');
  wasm._malloc = checkedMalloc(raw, () => wasm.asm?.memory?.buffer.byteLength ?? 0);
  wasm.__heapGuarded = true;
}
