/**
 * The sparse LDA E-step kernels in WebAssembly SIMD (128-bit), as function bodies for
 * {@link kernelModule}. One call handles one document (a CSR row) against β̃ stored [V, Kp] row-major
 * (Kp = K rounded up to 4, padding zero), so every non-zero does a contiguous Kp-length dot and axpy:
 * - `rowRound`: acc = Σ_j (v_j / max(θ̃·β̃[c_j], 1e-30)) β̃[c_j]      (SDDMM + SpMM of one round);
 * - `rowStats`: S[c_j] += (v_j / max(θ̃·β̃[c_j], 1e-30)) θ̃            (the statistics θ̃ᵀQ, scattered);
 * - `rowDots`:  out_j = θ·β[c_j]                                       (the perplexity's Σ_k θβ).
 * Parameters are byte addresses into the imported memory and counts (Kp a multiple of 4).
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
  F_MAX,
  F_STORE,
  GE_U,
  I32,
  I_LOAD,
  LOOP,
  LT_U,
  MUL,
  V128,
  V_LOAD,
  V_STORE_AT,
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

/** Which kernel a body computes. */
export type SparseKernelKind = 'rowRound' | 'rowStats' | 'rowDots';

/**
 * rowRound(theta, beta, kp, idx, val, n, acc) · rowStats(theta, beta, kp, idx, val, n, stats) ·
 * rowDots(theta, beta, kp, idx, val, n, out) — `val` is unused by rowDots (kept for one signature).
 */
export function sparseRowBody(kind: SparseKernelKind): number[] {
  const [theta, beta, kp, idx, val, n, dst] = [0, 1, 2, 3, 4, 5, 6];
  const [j, c, brow, kb, srow] = [7, 8, 9, 10, 11];
  const [s, qv] = [12, 13];
  return functionBody(
    [
      [5, I32],
      [2, V128],
    ],
    (emit) => {
      emit(get(kp), i32c(4), [MUL], set(kb));
      if (kind === 'rowRound') {
        // acc = 0
        emit(i32c(0), set(c), LOOP);
        emit(get(dst), get(c), [ADD], V_ZERO(), V_STORE_AT(0));
        emit(get(c), i32c(16), [ADD], set(c), get(c), get(kb), [LT_U], brIf(0), [END]);
      }
      emit(i32c(0), set(j));
      emit(BLOCK, LOOP);
      emit(get(j), get(n), [GE_U], brIf(1));
      // brow = beta + idx[j]·kb
      emit(get(beta), get(idx), get(j), i32c(4), [MUL, ADD], I_LOAD, get(kb), [MUL, ADD], set(brow));
      // s = θ̃ ⊙ β̃[c] (four lanes)
      emit(V_ZERO(), set(s), i32c(0), set(c), LOOP);
      emit(get(s), get(theta), get(c), [ADD], V_LOAD(), get(brow), get(c), [ADD], V_LOAD(), F4_MUL(), F4_ADD(), set(s));
      emit(get(c), i32c(16), [ADD], set(c), get(c), get(kb), [LT_U], brIf(0), [END]);
      if (kind === 'rowDots') {
        emit(get(dst), get(j), i32c(4), [MUL, ADD], hsum(s), F_STORE);
      } else {
        // q = v_j / max(Σ s, 1e-30), splatted
        emit(
          get(val),
          get(j),
          i32c(4),
          [MUL, ADD],
          F_LOAD,
          hsum(s),
          f32c(1e-30),
          [F_MAX],
          [F_DIV],
          F4_SPLAT(),
          set(qv),
        );
        if (kind === 'rowRound') {
          // acc += q · β̃[c]
          emit(i32c(0), set(c), LOOP);
          emit(get(dst), get(c), [ADD]);
          emit(get(dst), get(c), [ADD], V_LOAD(), get(qv), get(brow), get(c), [ADD], V_LOAD(), F4_MUL(), F4_ADD());
          emit(V_STORE_AT(0));
          emit(get(c), i32c(16), [ADD], set(c), get(c), get(kb), [LT_U], brIf(0), [END]);
        } else {
          // S[c_j] += q · θ̃
          emit(get(dst), get(idx), get(j), i32c(4), [MUL, ADD], I_LOAD, get(kb), [MUL, ADD], set(srow));
          emit(i32c(0), set(c), LOOP);
          emit(get(srow), get(c), [ADD]);
          emit(get(srow), get(c), [ADD], V_LOAD(), get(qv), get(theta), get(c), [ADD], V_LOAD(), F4_MUL(), F4_ADD());
          emit(V_STORE_AT(0));
          emit(get(c), i32c(16), [ADD], set(c), get(c), get(kb), [LT_U], brIf(0), [END]);
        }
      }
      emit(get(j), i32c(1), [ADD], set(j));
      emit(br(0), [END, END]);
    },
  );
}
