/**
 * The WASM heap guard: an allocation the heap cannot satisfy throws HeapExhaustedError (one line,
 * with the sizes) before tfjs writes anything, and the backend keeps working afterwards. Without the
 * guard the same `tf.fill` registers a tensor at address 0 (tested as the negative control on the
 * wrapper alone, which would return 0).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../node/backend';
import { checkedMalloc, HeapExhaustedError, isHeapExhausted, WASM_HEAP_MAX_BYTES } from './heapGuard';

beforeAll(async () => {
  expect((await initNodeBackend('wasm')).backend).toBe('wasm');
});

describe('checkedMalloc', () => {
  it('passes addresses through and throws on a failed or oversized allocation', () => {
    const heap = () => 123 * 2 ** 20;
    expect(checkedMalloc(() => 4096, heap)(100)).toBe(4096);
    expect(checkedMalloc(() => 0, heap)(0)).toBe(0);
    expect(() => checkedMalloc(() => 0, heap)(512 * 2 ** 20)).toThrow(
      "out of WebAssembly memory: 512 MB more did not fit in this thread's heap (123 MB of at most 4096 MB)",
    );
    let called = false;
    const wrapped = checkedMalloc(() => {
      called = true;
      return 8;
    }, heap);
    expect(() => wrapped(WASM_HEAP_MAX_BYTES + 1)).toThrow(HeapExhaustedError);
    expect(called).toBe(false);
  });
});

describe('the WASM backend with the guard', () => {
  it('refuses a tensor larger than the heap can take, then computes as before', async () => {
    const before = tf.memory().numTensors;
    let err: unknown = null;
    try {
      // All but 4 bytes of the most a wasm32 heap can reach: the module's static data is already there.
      tf.fill([WASM_HEAP_MAX_BYTES / 4 - 1], 1);
    } catch (e) {
      err = e;
    }
    expect(isHeapExhausted(err)).toBe(true);
    expect((err as Error).message).toMatch(
      /^out of WebAssembly memory: 4096 MB more did not fit in this thread's heap \(\d+ MB of at most 4096 MB\)$/,
    );
    expect(tf.memory().numTensors).toBe(before);
    const y = tf.tidy(() => tf.sum(tf.fill([1000], 2)));
    expect((await y.data())[0]).toBe(2000);
    y.dispose();
  });
});
