/**
 * Element-wise attention and feed-forward kernels in WebAssembly SIMD (128-bit), as function bodies
 * for {@link kernelModule}:
 * - `softmaxRows`: masked softmax of rows in place, e^x by Cephes' expf polynomial in SIMD;
 * - `geluErf`: erf-GELU in place (erfc by Numerical Recipes' erfcc, fractional error < 1.2e-7),
 *   replacing tfjs-wasm's slow scalar erf and its four element-wise ops.
 */
import {
  ADD,
  BITSELECT,
  BLOCK,
  END,
  F32,
  F4_ABS,
  F4_ADD,
  F4_DIV,
  F4_GE,
  F4_MAX,
  F4_MUL,
  F4_SPLAT,
  F4_SUB,
  F_MAX,
  GE_U,
  I32,
  LANE,
  LOOP,
  LT_U,
  MUL,
  V128,
  V_LOAD,
  V_STORE_AT,
  V_ZERO,
  br,
  brIf,
  expInline,
  functionBody,
  get,
  hsum,
  i32c,
  set,
  splat,
} from '../../tensor/wasmAsm';

/**
 * softmaxRows(s, rows, n, madd, keep): for each row of n floats (n a multiple of 4) at s (row stride
 * n): x = s + madd (additive mask), p = e^(x − max x) · keep, p / Σp, in place. With madd = 0 / finfo.min
 * and keep = 1 / 0 per key, masked keys and padding columns get exactly 0.
 */
export function softmaxBody(): number[] {
  const [s, rows, n, madd, keep] = [0, 1, 2, 3, 4];
  const [r, p, c, nb] = [5, 6, 7, 8];
  const [mx, sum, x, t1, t2] = [9, 10, 11, 12, 13];
  const m = 14; // f32
  return functionBody(
    [
      [4, I32],
      [5, V128],
      [1, F32],
    ],
    (emit) => {
      const loopC = (body: number[][]): void => {
        emit(i32c(0), set(c), LOOP, ...body, get(c), i32c(16), [ADD], set(c), get(c), get(nb), [LT_U], brIf(0), [END]);
      };
      emit(get(n), i32c(4), [MUL], set(nb), i32c(0), set(r));
      emit(BLOCK, LOOP);
      emit(get(r), get(rows), [GE_U], brIf(1));
      emit(get(s), get(r), get(nb), [MUL, ADD], set(p));
      emit(splat(-Infinity), set(mx));
      loopC([
        get(p),
        get(c),
        [ADD],
        get(p),
        get(c),
        [ADD],
        V_LOAD(),
        get(madd),
        get(c),
        [ADD],
        V_LOAD(),
        F4_ADD(),
        set(x),
        get(x),
        V_STORE_AT(0),
        get(mx),
        get(x),
        F4_MAX(),
        set(mx),
      ]);
      emit(get(mx), LANE(0), get(mx), LANE(1), [F_MAX], get(mx), LANE(2), get(mx), LANE(3), [F_MAX], [F_MAX], set(m));
      emit(V_ZERO(), set(sum));
      loopC([
        get(p),
        get(c),
        [ADD],
        V_LOAD(),
        get(m),
        F4_SPLAT(),
        F4_SUB(),
        set(x),
        [get(p), get(c), [ADD]].flat(),
        expInline(x, t1, t2),
        get(keep),
        get(c),
        [ADD],
        V_LOAD(),
        F4_MUL(),
        set(x),
        get(x),
        V_STORE_AT(0),
        get(sum),
        get(x),
        F4_ADD(),
        set(sum),
      ]);
      emit(hsum(sum), F4_SPLAT(), set(mx)); // mx ← Σ (reused)
      loopC([get(p), get(c), [ADD], get(p), get(c), [ADD], V_LOAD(), get(mx), F4_DIV(), V_STORE_AT(0)]);
      emit(get(r), i32c(1), [ADD], set(r));
      emit(br(0), [END, END]);
    },
  );
}

/**
 * geluErf(p, n): x ← 0.5·x·(1 + erf(x/√2)) in place for n floats (n a multiple of 4). 1 + erf(x/√2)
 * is 2 − C for x ≥ 0 and C for x < 0, with C = erfc(|x|/√2) by Numerical Recipes' Chebyshev fit
 * `erfcc` (t = 1/(1 + z/2), C = t·e^(−z² + P(t)), P of degree 9; fractional error < 1.2e-7
 * everywhere), so the negative tail keeps its relative accuracy.
 */
export function geluBody(): number[] {
  const [p, n] = [0, 1];
  const [c, nb] = [2, 3];
  const [x, z, t, e, t1, t2] = [4, 5, 6, 7, 8, 9];
  const cheb = [
    -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223,
    0.17087277,
  ];
  return functionBody(
    [
      [2, I32],
      [6, V128],
    ],
    (emit) => {
      emit(get(n), i32c(4), [MUL], set(nb), i32c(0), set(c));
      emit(LOOP);
      emit(get(p), get(c), [ADD], V_LOAD(), set(x));
      emit(get(x), F4_ABS(), splat(Math.SQRT1_2), F4_MUL(), set(z));
      emit(splat(1), splat(1), get(z), splat(0.5), F4_MUL(), F4_ADD(), F4_DIV(), set(t));
      emit(splat(cheb[9]));
      for (let q = 8; q >= 0; q--) emit(get(t), F4_MUL(), splat(cheb[q]), F4_ADD());
      emit(get(z), get(z), F4_MUL(), F4_SUB(), set(e)); // e ← P(t) − z²
      emit(get(t), expInline(e, t1, t2), F4_MUL(), set(z)); // z ← C = erfc(|x|/√2)
      emit(get(p), get(c), [ADD]); // store address
      emit(get(x), splat(0.5), F4_MUL());
      emit(splat(2), get(z), F4_SUB(), get(z), get(x), splat(0), F4_GE(), BITSELECT(), F4_MUL());
      emit(V_STORE_AT(0));
      emit(get(c), i32c(16), [ADD], set(c), get(c), get(nb), [LT_U], brIf(0), [END]);
    },
  );
}
