/**
 * Matrix products for attention in WebAssembly SIMD (128-bit), as function bodies for
 * {@link kernelModule}:
 * - `gemmNT`: out[i·os + j] = (Σ_k a[i·as + k] · b[j·bs + k]) / div (A·Bᵀ, K contiguous in both;
 *   four output columns share each load of an A chunk; K a multiple of 4);
 * - `gemmNN`: out = A·B with B's rows contiguous (sixteen, then four output columns per pass).
 * Why hand-written: see gemmSimd.ts.
 */
import {
  ADD,
  BLOCK,
  END,
  F4_ADD,
  F4_MUL,
  F4_SPLAT,
  F_DIV,
  F_LOAD,
  F_STORE,
  GE_U,
  GT_U,
  I32,
  LOOP,
  LT_U,
  MUL,
  V128,
  V_LOAD,
  V_LOAD_AT,
  V_STORE_AT,
  V_ZERO,
  br,
  brIf,
  functionBody,
  get,
  hsum,
  i32c,
  set,
} from '../../tensor/wasmAsm';

// Parameters of gemmNT(a, as, b, bs, out, os, M, N, K, div): byte addresses and byte strides, counts.
const [A, AS, B, BS, OUT, OS, M, N, K, DIV] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
// Locals.
const [Ii, J, C, AROW, B0, B1, B2, B3, KB] = [10, 11, 12, 13, 14, 15, 16, 17, 18];
const [ACC0, ACC1, ACC2, ACC3, AV] = [19, 20, 21, 22, 23];

/** Stores (hsum(acc) / div) at out + i·os + (j + r)·4. */
const storeAcc = (acc: number, r: number): number[] => [
  ...get(OUT),
  ...get(Ii),
  ...get(OS),
  MUL,
  ADD,
  ...get(J),
  ...i32c(r),
  ADD,
  ...i32c(4),
  MUL,
  ADD,
  ...hsum(acc),
  ...get(DIV),
  F_DIV,
  ...F_STORE,
];

export function gemmNTBody(): number[] {
  return functionBody(
    [
      [9, I32],
      [5, V128],
    ],
    (emit) => {
      // KB = K · 4 (bytes of one row)
      emit(get(K), i32c(4), [MUL], set(KB));
      emit(i32c(0), set(Ii));
      emit(BLOCK, LOOP); // i loop
      emit(get(Ii), get(M), [GE_U], brIf(1)); // i >= M → exit (i32.ge_u)
      emit(get(A), get(Ii), get(AS), [MUL, ADD], set(AROW));
      emit(i32c(0), set(J));
      // j loop, four columns at a time
      emit(BLOCK, LOOP);
      emit(get(J), i32c(4), [ADD], get(N), [GT_U], brIf(1)); // j + 4 > N → exit
      emit(get(B), get(J), get(BS), [MUL, ADD], set(B0));
      emit(get(B0), get(BS), [ADD], set(B1));
      emit(get(B1), get(BS), [ADD], set(B2));
      emit(get(B2), get(BS), [ADD], set(B3));
      emit(V_ZERO(), set(ACC0), V_ZERO(), set(ACC1), V_ZERO(), set(ACC2), V_ZERO(), set(ACC3));
      emit(i32c(0), set(C));
      emit(LOOP); // c loop (K > 0, multiple of 4)
      emit(get(AROW), get(C), [ADD], V_LOAD(), set(AV));
      for (const [acc, bp] of [
        [ACC0, B0],
        [ACC1, B1],
        [ACC2, B2],
        [ACC3, B3],
      ]) {
        emit(get(acc), get(AV), get(bp), get(C), [ADD], V_LOAD(), F4_MUL(), F4_ADD(), set(acc));
      }
      emit(get(C), i32c(16), [ADD], set(C));
      emit(get(C), get(KB), [LT_U], brIf(0));
      emit([END]);
      emit(storeAcc(ACC0, 0), storeAcc(ACC1, 1), storeAcc(ACC2, 2), storeAcc(ACC3, 3));
      emit(get(J), i32c(4), [ADD], set(J));
      emit(br(0), [END, END]);
      // j tail, one column at a time
      emit(BLOCK, LOOP);
      emit(get(J), get(N), [GE_U], brIf(1)); // j >= N → exit
      emit(get(B), get(J), get(BS), [MUL, ADD], set(B0));
      emit(V_ZERO(), set(ACC0), i32c(0), set(C));
      emit(LOOP);
      emit(
        get(ACC0),
        get(AROW),
        get(C),
        [ADD],
        V_LOAD(),
        get(B0),
        get(C),
        [ADD],
        V_LOAD(),
        F4_MUL(),
        F4_ADD(),
        set(ACC0),
      );
      emit(get(C), i32c(16), [ADD], set(C));
      emit(get(C), get(KB), [LT_U], brIf(0));
      emit([END]);
      emit(storeAcc(ACC0, 0));
      emit(get(J), i32c(1), [ADD], set(J));
      emit(br(0), [END, END]);
      emit(get(Ii), i32c(1), [ADD], set(Ii));
      emit(br(0), [END, END]);
    },
  );
}

/**
 * gemmNN(a, as, b, bs, out, os, m, n, k): out[i, j] = Σ_k a[i, k] · b[k, j] (bytes / byte strides /
 * counts), B row-major with j contiguous; n a multiple of 4. Sixteen output columns per pass (four
 * accumulators sharing the splatted a[i, k]), then four at a time.
 */
export function gemmNNBody(): number[] {
  const [a, as, b, bs, out, os, m, n, k] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [i, j, kk, arow, bp] = [9, 10, 11, 12, 13];
  const [acc0, acc1, acc2, acc3, pv] = [14, 15, 16, 17, 18];
  return functionBody(
    [
      [5, I32],
      [5, V128],
    ],
    (emit) => {
      const accs = [acc0, acc1, acc2, acc3];
      const pass = (width: number): void => {
        const nv = width / 4;
        emit(BLOCK, LOOP);
        emit(get(j), i32c(width), [ADD], get(n), [GT_U], brIf(1));
        for (let v = 0; v < nv; v++) emit(V_ZERO(), set(accs[v]));
        emit(get(b), get(j), i32c(4), [MUL, ADD], set(bp), i32c(0), set(kk));
        emit(LOOP);
        emit(get(arow), get(kk), i32c(4), [MUL, ADD], F_LOAD, F4_SPLAT(), set(pv));
        for (let v = 0; v < nv; v++)
          emit(get(accs[v]), get(pv), get(bp), V_LOAD_AT(16 * v), F4_MUL(), F4_ADD(), set(accs[v]));
        emit(get(bp), get(bs), [ADD], set(bp));
        emit(get(kk), i32c(1), [ADD], set(kk), get(kk), get(k), [LT_U], brIf(0));
        emit([END]);
        for (let v = 0; v < nv; v++)
          emit(get(out), get(i), get(os), [MUL, ADD], get(j), i32c(4), [MUL, ADD], get(accs[v]), V_STORE_AT(16 * v));
        emit(get(j), i32c(width), [ADD], set(j));
        emit(br(0), [END, END]);
      };
      emit(i32c(0), set(i));
      emit(BLOCK, LOOP);
      emit(get(i), get(m), [GE_U], brIf(1));
      emit(get(a), get(i), get(as), [MUL, ADD], set(arow), i32c(0), set(j));
      pass(16);
      pass(4);
      emit(get(i), i32c(1), [ADD], set(i));
      emit(br(0), [END, END]);
    },
  );
}
