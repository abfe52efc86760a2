/**
 * dst = base + a·x (+ b·y) over float32 arrays inside one WebAssembly memory, in WebAssembly SIMD with
 * double-precision lanes: each float is promoted, the products and sums are taken in f64 in
 * JavaScript's order ((base + a·x) + b·y) and the result rounded once to float32 — bit for bit what
 * the scalar JavaScript loop `dst[i] = base[i] + a * x[i] + b * y[i]` stores, ~5× faster.
 *
 * Why: a landscape point on WASM is one such pass over every moving parameter (interpolate.ts); in
 * JavaScript it cost ~3 ns a value, half of what a point adds to a bare forward pass on a small model.
 * The kernel is instantiated on the tfjs WASM backend's own memory, so it reads and writes tensors in
 * place. Assembled at run time (tensor/wasmAsm.ts): no toolchain, no file to serve.
 */
import {
  ADD,
  BLOCK,
  D_ADD,
  D_MUL,
  D_PROMOTE,
  END,
  F2_ADD,
  F2_MUL,
  F2_PROMOTE_LOW,
  F2_SPLAT,
  F4_DEMOTE_ZERO,
  F64,
  F_DEMOTE,
  F_LOAD,
  F_STORE,
  GE_U,
  I32,
  I_AND,
  I_SHL,
  LOOP,
  SHUFFLE,
  V128,
  V_LOAD,
  V_STORE_AT,
  br,
  brIf,
  functionBody,
  get,
  i32c,
  kernelModule,
  set,
} from './wasmAsm';

/** Lanes 2, 3 of the first operand moved to 0, 1 (for promote_low). */
const HIGH = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
/** Lanes 0, 1 of each operand: [a0, a1, b0, b1]. */
const JOIN = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

/**
 * axpy(dst, base, x, y, n, a, b, dirs, rows, dstStride, srcStride): byte addresses, n floats per row,
 * `rows` rows whose addresses step by the strides (bytes; the sources share one stride); assembled once
 * per number of directions (`twoDirs`: + b·y; else y, b are ignored), so the loop has no branch. Four
 * floats a step, then a scalar tail, per row.
 */
function axpyBody(twoDirs: boolean): number[] {
  const [dst, base, x, y, n, a, b] = [0, 1, 2, 3, 4, 5, 6]; // param 7 (dirs) chose the function
  const [rows, dstStride, srcStride] = [8, 9, 10];
  const [i, end4, off, r] = [11, 12, 13, 14];
  const [va, vb, lo, hi, t] = [15, 16, 17, 18, 19];
  const acc = 20; // f64, the scalar tail's sum
  // One half into `dest`: promote(base) + promote(x)·va, then + promote(y)·vb when dirs = 2 (the same
  // order as JavaScript's base + a·x + b·y); `half` moves lanes 2, 3 down first.
  const part = (half: boolean, dest: number): number[][] => {
    const lanes = (addr: number): number[][] => [
      get(addr),
      get(off),
      [ADD],
      V_LOAD(),
      ...(half ? [set(t), get(t), get(t), SHUFFLE(HIGH)] : []),
      F2_PROMOTE_LOW(),
    ];
    return [
      ...lanes(base),
      ...lanes(x),
      get(va),
      F2_MUL(),
      F2_ADD(),
      set(dest),
      ...(twoDirs ? [get(dest), ...lanes(y), get(vb), F2_MUL(), F2_ADD(), set(dest)] : []),
    ];
  };
  const scalar = (addr: number): number[][] => [get(addr), get(off), [ADD], F_LOAD, [D_PROMOTE]];
  const step = (addr: number, stride: number): number[][] => [get(addr), get(stride), [ADD], set(addr)];
  return functionBody(
    [
      [4, I32],
      [5, V128],
      [1, F64],
    ],
    (emit) => {
      emit(get(a), F2_SPLAT(), set(va), get(b), F2_SPLAT(), set(vb));
      emit(get(n), i32c(-4), [I_AND], set(end4), i32c(0), set(r));
      // Rows.
      emit(BLOCK, LOOP, get(r), get(rows), [GE_U], brIf(1), i32c(0), set(i));
      emit(BLOCK, LOOP, get(i), get(end4), [GE_U], brIf(1));
      emit(get(i), i32c(2), [I_SHL], set(off));
      emit(...part(false, lo), ...part(true, hi));
      emit(
        get(dst),
        get(off),
        [ADD],
        get(lo),
        F4_DEMOTE_ZERO(),
        get(hi),
        F4_DEMOTE_ZERO(),
        SHUFFLE(JOIN),
        V_STORE_AT(0),
      );
      emit(get(i), i32c(4), [ADD], set(i), br(0), [END, END]);
      // Tail: the same arithmetic one float at a time.
      emit(BLOCK, LOOP, get(i), get(n), [GE_U], brIf(1));
      emit(get(i), i32c(2), [I_SHL], set(off));
      emit(...scalar(base), ...scalar(x), get(a), [D_MUL], [D_ADD], set(acc));
      if (twoDirs) emit(get(acc), ...scalar(y), get(b), [D_MUL], [D_ADD], set(acc));
      emit(get(dst), get(off), [ADD], get(acc), [F_DEMOTE], F_STORE, get(i), i32c(1), [ADD], set(i), br(0), [END, END]);
      // Next row.
      emit(...step(dst, dstStride), ...step(base, srcStride), ...step(x, srcStride), ...step(y, srcStride));
      emit(get(r), i32c(1), [ADD], set(r), br(0), [END, END]);
    },
  );
}

/** Byte addresses; `n` floats per row; `rows` (default 1) rows stepping by the byte strides (default 0). */
type AxpyFn = (
  dst: number,
  base: number,
  x: number,
  y: number,
  n: number,
  a: number,
  b: number,
  dirs: number,
  rows?: number,
  dstStride?: number,
  srcStride?: number,
) => void;
type RawAxpy = (...args: number[]) => void;

const compiled = new WeakMap<WebAssembly.Memory, AxpyFn | null>();
let module: WebAssembly.Module | null | undefined;

/**
 * The kernel on `memory` (cached per memory), or null where WebAssembly SIMD is unavailable. Its
 * arguments are byte addresses in `memory`; `n` floats; `dirs` 1 (base + a·x) or 2 (+ b·y); optionally
 * `rows` rows of n floats, the destination's stepping by `dstStride` bytes and the sources' by `srcStride`.
 */
export function axpyKernel(memory: WebAssembly.Memory): AxpyFn | null {
  if (compiled.has(memory)) return compiled.get(memory)!;
  let fn: AxpyFn | null = null;
  try {
    if (module === undefined) {
      const params = [I32, I32, I32, I32, I32, F64, F64, I32, I32, I32, I32];
      const bytes = kernelModule([
        { name: 'axpy1', params, body: axpyBody(false) },
        { name: 'axpy2', params, body: axpyBody(true) },
      ]);
      module = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    }
    if (module) {
      const { axpy1, axpy2 } = new WebAssembly.Instance(module, { env: { mem: memory } }).exports as Record<
        string,
        RawAxpy
      >;
      fn = (dst, base, x, y, n, a, b, dirs, rows = 1, dstStride = 0, srcStride = 0) =>
        (dirs === 2 ? axpy2 : axpy1)(dst, base, x, y, n, a, b, dirs, rows, dstStride, srcStride);
    }
  } catch {
    fn = null;
  }
  compiled.set(memory, fn);
  return fn;
}
