/**
 * A tiny WebAssembly assembler: the binary encoding (LEB128, vectors, sections), the opcodes the
 * project's hand-written SIMD kernels use, and a module builder. Kernels are written as byte
 * sequences in TypeScript so they need no toolchain and no file to serve, and run the same in Node
 * and in the browser's worker (CSP allows `'wasm-unsafe-eval'`).
 *
 * Why hand-written: tfjs-backend-wasm runs batched and transposed matmuls, erf and sparse products
 * through scalar loops; these kernels are where the WASM path must be fast (see the kernel files).
 */

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
export const F64 = 0x7c;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128. */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
export const str = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

// Control and integer instructions.
export const get = (i: number): number[] => [0x20, ...uleb(i)];
export const set = (i: number): number[] => [0x21, ...uleb(i)];
export const i32c = (v: number): number[] => [0x41, ...sleb(v)];
export const f32c = (v: number): number[] => [0x43, ...new Uint8Array(Float32Array.of(v).buffer)];
export const ADD = 0x6a;
export const MUL = 0x6c;
export const LT_U = 0x49;
export const GT_U = 0x4b;
export const GE_U = 0x4f;
export const BLOCK = [0x02, 0x40];
export const LOOP = [0x03, 0x40];
export const END = 0x0b;
export const br = (d: number): number[] => [0x0c, d];
export const brIf = (d: number): number[] => [0x0d, d];
// Scalar float instructions.
export const F_ADD = 0x92;
export const F_DIV = 0x95;
export const F_MAX = 0x97;
export const F_STORE = [0x38, 2, 0];
export const F_LOAD = [0x2a, 2, 0];
export const I_LOAD = [0x28, 2, 0];
// SIMD (128-bit) instructions.
const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];
export const V_LOAD = (): number[] => simd(0x00, 2, 0); // align 4 bytes, offset 0
export const V_LOAD_AT = (offset: number): number[] => simd(0x00, 2, ...uleb(offset));
export const V_STORE_AT = (offset: number): number[] => simd(0x0b, 2, ...uleb(offset));
export const V_ZERO = (): number[] => simd(0x0c, ...new Array<number>(16).fill(0));
export const LANE = (l: number): number[] => simd(0x1f, l);
export const F4_SPLAT = (): number[] => simd(0x13);
export const F4_ADD = (): number[] => simd(0xe4);
export const F4_SUB = (): number[] => simd(0xe5);
export const F4_MUL = (): number[] => simd(0xe6);
export const F4_DIV = (): number[] => simd(0xe7);
export const F4_MAX = (): number[] => simd(0xe9);
export const F4_ABS = (): number[] => simd(0xe0);
export const F4_GE = (): number[] => simd(0x46);
export const F4_NEAREST = (): number[] => simd(0x6a);
export const I4_SPLAT = (): number[] => simd(0x11);
export const I4_ADD = (): number[] => simd(0xae);
export const I4_SHL = (): number[] => simd(0xab);
export const I4_TRUNC_SAT_F4 = (): number[] => simd(0xf8);
export const BITSELECT = (): number[] => simd(0x52);
export const splat = (v: number): number[] => [...f32c(v), ...F4_SPLAT()];
// Double-precision lanes (f64x2), for arithmetic that must round like JavaScript's numbers.
export const F2_SPLAT = (): number[] => simd(0x14);
export const F2_ADD = (): number[] => simd(0xf0);
export const F2_MUL = (): number[] => simd(0xf2);
/** f64x2.promote_low_f32x4: lanes 0 and 1 of an f32x4 as doubles. */
export const F2_PROMOTE_LOW = (): number[] => simd(0x5f);
/** f32x4.demote_f64x2_zero: the two doubles rounded to floats in lanes 0 and 1, zeros above. */
export const F4_DEMOTE_ZERO = (): number[] => simd(0x5e);
/** i8x16.shuffle of the two v128 operands by 16 byte indices (0–15 the first, 16–31 the second). */
export const SHUFFLE = (bytes: number[]): number[] => simd(0x0d, ...bytes);
// Scalar double instructions.
export const D_ADD = 0xa0;
export const D_MUL = 0xa2;
export const D_PROMOTE = 0xbb;
export const F_DEMOTE = 0xb6;
export const I_AND = 0x71;
export const I_SHL = 0x74;

/** Σ of the four lanes of a v128 local: (l0 + l1) + (l2 + l3). */
export const hsum = (v: number): number[] => [
  ...get(v),
  ...LANE(0),
  ...get(v),
  ...LANE(1),
  F_ADD,
  ...get(v),
  ...LANE(2),
  ...get(v),
  ...LANE(3),
  F_ADD,
  F_ADD,
];

/**
 * A function body: `locals` as (count, type) runs after the parameters, and the code `build` emits
 * (the final `end` is added here).
 */
export function functionBody(
  locals: [number, number][],
  build: (emit: (...parts: number[][]) => void) => void,
): number[] {
  const code: number[] = [];
  build((...parts) => {
    for (const p of parts) code.push(...p);
  });
  code.push(END);
  return [...vec(locals.map(([n, t]) => [...uleb(n), t])), ...code];
}

/** One exported function of a module: its name, parameter types (no results) and body. */
export interface KernelFunction {
  name: string;
  params: number[];
  body: number[];
}

/** A module importing one memory as `env.mem` and exporting `funcs` (each with its own type). */
export function kernelModule(funcs: KernelFunction[]): Uint8Array<ArrayBuffer> {
  const sig = (params: number[]): number[] => [0x60, ...vec(params.map((t) => [t])), ...vec([])];
  const types = section(1, vec(funcs.map((f) => sig(f.params))));
  const imports = section(2, vec([[...str('env'), ...str('mem'), 0x02, 0x00, ...uleb(1)]]));
  const decls = section(3, vec(funcs.map((_, i) => uleb(i))));
  const exports = section(7, vec(funcs.map((f, i) => [...str(f.name), 0x00, ...uleb(i)])));
  const code = section(10, vec(funcs.map((f) => [...uleb(f.body.length), ...f.body])));
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...types,
    ...imports,
    ...decls,
    ...exports,
    ...code,
  ]);
}

/**
 * e^x for a v128 local `x` with x ≤ 0 (Cephes expf: n = round(x·log2 e), r = x − n·ln 2 in two
 * parts, degree-5 polynomial, scaled by 2ⁿ built in the exponent bits); x is clamped at −87.3 so 2ⁿ
 * stays normal. Leaves the result on the stack; uses `n` and `r` as scratch v128 locals.
 */
export function expInline(x: number, n: number, r: number): number[] {
  const p = [1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
  const code: number[] = [];
  const emit = (...parts: number[][]): void => {
    for (const q of parts) code.push(...q);
  };
  emit(get(x), splat(-87.33654), F4_MAX(), set(x));
  emit(get(x), splat(Math.LOG2E), F4_MUL(), F4_NEAREST(), set(n));
  emit(
    get(x),
    get(n),
    splat(0.693359375),
    F4_MUL(),
    F4_SUB(),
    get(n),
    splat(-2.1219444e-4),
    F4_MUL(),
    F4_SUB(),
    set(r),
  );
  emit(splat(p[0]));
  for (let q = 1; q < p.length; q++) emit(get(r), F4_MUL(), splat(p[q]), F4_ADD());
  emit(get(r), F4_MUL(), get(r), F4_MUL(), get(r), F4_ADD(), splat(1), F4_ADD()); // y = poly·r² + r + 1
  emit(get(n), I4_TRUNC_SAT_F4(), i32c(127), I4_SPLAT(), I4_ADD(), i32c(23), I4_SHL(), F4_MUL());
  return code;
}
