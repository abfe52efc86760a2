/**
 * A Linear layer in WebAssembly SIMD (128-bit), as a function body for {@link kernelModule}:
 * out[i·os + j] = act(Σ_k x[i·xs + k] · w[j·ws + k] + bias[j]) — x·Wᵀ + b with W in PyTorch's
 * [out, in] layout, K contiguous in both operands, act the identity or relu.
 *
 * Register blocking: `rows` rows of x by `cols` rows of W per pass (rows·cols v128 accumulators);
 * each 4-float chunk of K is loaded once per row and once per column and feeds rows·cols
 * multiply-adds. Row and column tails run the same loop with a block of 1. K must be a positive
 * multiple of 4. Why hand-written: see heapLinear.ts.
 */
import {
  ADD,
  BLOCK,
  END,
  F4_ADD,
  F4_MUL,
  F_ADD,
  F_LOAD,
  F_MAX,
  F_STORE,
  GT_U,
  I32,
  LOOP,
  LT_U,
  MUL,
  V128,
  V_LOAD,
  V_ZERO,
  br,
  brIf,
  f32c,
  functionBody,
  get,
  hsum,
  i32c,
  set,
} from '../../tensor/wasmAsm';

/** Rows of x and of W per register block (8 accumulators, 2 + 4 operand loads per chunk of K). */
export const LINEAR_BLOCK = { rows: 2, cols: 4 } as const;

/**
 * linear(x, xs, w, ws, bias, out, os, m, n, k): byte addresses and byte strides, counts (see the
 * header); `relu` compiles the activation in.
 */
export function linearBody(relu: boolean): number[] {
  const R = LINEAR_BLOCK.rows;
  const C = LINEAR_BLOCK.cols;
  const [X, XS, W, WS, BIAS, OUT, OS, M, N, K] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  let next = 10;
  const i32 = (): number => next++;
  const [I, J, CB, KB] = [i32(), i32(), i32(), i32()];
  const XR = Array.from({ length: R }, i32);
  const WR = Array.from({ length: C }, i32);
  const firstV = next;
  const v128 = (): number => next++;
  const ACC = Array.from({ length: R }, () => Array.from({ length: C }, v128));
  const AV = Array.from({ length: R }, v128);
  const WV = v128();
  const nI32 = firstV - 10;
  const nV = next - firstV;
  return functionBody(
    [
      [nI32, I32],
      [nV, V128],
    ],
    (emit) => {
      /** One pass over j in blocks of `c` columns for the `r` rows whose addresses are in XR. */
      const columns = (r: number, c: number): void => {
        emit(BLOCK, LOOP);
        emit(get(J), i32c(c), [ADD], get(N), [GT_U], brIf(1)); // j + c > n → exit
        emit(get(W), get(J), get(WS), [MUL, ADD], set(WR[0]));
        for (let q = 1; q < c; q++) emit(get(WR[q - 1]), get(WS), [ADD], set(WR[q]));
        for (let p = 0; p < r; p++) for (let q = 0; q < c; q++) emit(V_ZERO(), set(ACC[p][q]));
        emit(i32c(0), set(CB));
        emit(LOOP); // K > 0, a multiple of 4
        for (let p = 0; p < r; p++) emit(get(XR[p]), get(CB), [ADD], V_LOAD(), set(AV[p]));
        for (let q = 0; q < c; q++) {
          emit(get(WR[q]), get(CB), [ADD], V_LOAD(), set(WV));
          for (let p = 0; p < r; p++) emit(get(ACC[p][q]), get(AV[p]), get(WV), F4_MUL(), F4_ADD(), set(ACC[p][q]));
        }
        emit(get(CB), i32c(16), [ADD], set(CB));
        emit(get(CB), get(KB), [LT_U], brIf(0));
        emit([END]);
        for (let p = 0; p < r; p++)
          for (let q = 0; q < c; q++) {
            // out + (i + p)·os + (j + q)·4 ← act(hsum + bias[j + q])
            emit(get(OUT), get(I), i32c(p), [ADD], get(OS), [MUL, ADD], get(J), i32c(q), [ADD], i32c(4), [MUL, ADD]);
            emit(hsum(ACC[p][q]), get(BIAS), get(J), i32c(q), [ADD], i32c(4), [MUL, ADD], F_LOAD, [F_ADD]);
            if (relu) emit(f32c(0), [F_MAX]);
            emit(F_STORE);
          }
        emit(get(J), i32c(c), [ADD], set(J));
        emit(br(0), [END, END]);
      };
      /** Rows in blocks of `r` while r of them remain. */
      const rowBlocks = (r: number): void => {
        emit(BLOCK, LOOP);
        emit(get(I), i32c(r), [ADD], get(M), [GT_U], brIf(1)); // i + r > m → exit
        emit(get(X), get(I), get(XS), [MUL, ADD], set(XR[0]));
        for (let p = 1; p < r; p++) emit(get(XR[p - 1]), get(XS), [ADD], set(XR[p]));
        emit(i32c(0), set(J));
        columns(r, C);
        columns(r, 1);
        emit(get(I), i32c(r), [ADD], set(I));
        emit(br(0), [END, END]);
      };
      emit(get(K), i32c(4), [MUL], set(KB));
      emit(i32c(0), set(I));
      rowBlocks(R);
      rowBlocks(1);
    },
  );
}
