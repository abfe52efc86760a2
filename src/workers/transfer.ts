/**
 * Finds the ArrayBuffers inside a message so they can be transferred instead of structured-cloned.
 * Large matrices (corpus bytes, β, surface values) then cross the worker boundary in O(1).
 */

/** Collects distinct, transferable ArrayBuffers reachable from `value` (objects, arrays, Maps; depth-limited). */
export function collectTransferables(value: unknown, depth = 6, seen = new Set<ArrayBuffer>()): ArrayBuffer[] {
  if (value === null || typeof value !== 'object' || depth < 0) return [...seen];
  if (ArrayBuffer.isView(value)) {
    const buffer = value.buffer;
    if (buffer instanceof ArrayBuffer && buffer.byteLength > 0) seen.add(buffer);
  } else if (value instanceof ArrayBuffer) {
    if (value.byteLength > 0) seen.add(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectTransferables(item, depth - 1, seen);
  } else if (value instanceof Map) {
    for (const item of value.values()) collectTransferables(item, depth - 1, seen);
  } else {
    for (const item of Object.values(value)) collectTransferables(item, depth - 1, seen);
  }
  return [...seen];
}
