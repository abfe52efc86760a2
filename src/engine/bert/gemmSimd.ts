/**
 * Small WebAssembly SIMD (128-bit) kernels for attention, assembled here from bytes (no toolchain,
 * no file to serve):
 * - `gemmNT`: out[i·os + j] = (Σ_k a[i·as + k] · b[j·bs + k]) / div (A·Bᵀ, K contiguous in both;
 *   four output columns share each load of an A chunk; K a multiple of 4);
 * - `gemmNN`: out = A·B with B's rows contiguous (sixteen, then four output columns per pass);
 * - `softmaxRows`: masked softmax of rows in place, e^x by Cephes' expf polynomial in SIMD;
 * - `geluErf`: erf-GELU in place (erfc by Numerical Recipes' erfcc, fractional error < 1.2e-7),
 *   replacing tfjs-wasm's slow scalar erf and its four element-wise ops.
 *
 * Why: attention's per-(example, head) products are batched matmuls, and tfjs-backend-wasm 4.22
 * runs every batched matmul (batch > 1, or any transpose) through a scalar triple loop at ~1 GFLOP/s
 * (its XNNPACK path only takes 2-D products with a fixed right operand). This kernel runs them at
 * several GFLOP/s on one core. Used by hostAttention.ts on the WASM/CPU path.
 *
 * Memory: one growable WebAssembly.Memory owned by the kernel; callers write operands into
 * {@link SimdGemm.f32} at offsets they choose (`reserve` grows it) and read results from it.
 */

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
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

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const str = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

// Instructions used by the kernel.
const get = (i: number): number[] => [0x20, ...uleb(i)];
const set = (i: number): number[] => [0x21, ...uleb(i)];
const i32c = (v: number): number[] => [0x41, ...sleb(v)];
const ADD = 0x6a;
const MUL = 0x6c;
const LT_U = 0x49;
const GT_U = 0x4b;
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const END = 0x0b;
const br = (d: number): number[] => [0x0c, d];
const brIf = (d: number): number[] => [0x0d, d];
const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];
const V_LOAD = (): number[] => simd(0x00, 2, 0); // align 4 bytes, offset 0
const V_ZERO = (): number[] => simd(0x0c, ...new Array<number>(16).fill(0));
const F4_ADD = (): number[] => simd(0xe4);
const F4_MUL = (): number[] => simd(0xe6);
const LANE = (l: number): number[] => simd(0x1f, l);
const F_ADD = 0x92;
const F_DIV = 0x95;
const F_MAX = 0x97;
const F_STORE = [0x38, 2, 0];
const F_LOAD = [0x2a, 2, 0];
const f32c = (v: number): number[] => [0x43, ...new Uint8Array(Float32Array.of(v).buffer)];
const V_LOAD_AT = (offset: number): number[] => simd(0x00, 2, ...uleb(offset));
const V_STORE_AT = (offset: number): number[] => simd(0x0b, 2, ...uleb(offset));
const F4_SPLAT = (): number[] => simd(0x13);
const F4_SUB = (): number[] => simd(0xe5);
const F4_DIV = (): number[] => simd(0xe7);
const F4_MAX = (): number[] => simd(0xe9);
const F4_NEAREST = (): number[] => simd(0x6a);
const I4_SPLAT = (): number[] => simd(0x11);
const I4_ADD = (): number[] => simd(0xae);
const I4_SHL = (): number[] => simd(0xab);
const I4_TRUNC_SAT_F4 = (): number[] => simd(0xf8);
const splat = (v: number): number[] => [...f32c(v), ...F4_SPLAT()];
const F4_ABS = (): number[] => simd(0xe0);
const F4_GE = (): number[] => simd(0x46);
const BITSELECT = (): number[] => simd(0x52);

// Parameters of gemmNT(a, as, b, bs, out, os, M, N, K, div): byte addresses and byte strides, counts.
const [A, AS, B, BS, OUT, OS, M, N, K, DIV] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
// Locals.
const [Ii, J, C, AROW, B0, B1, B2, B3, KB] = [10, 11, 12, 13, 14, 15, 16, 17, 18];
const [ACC0, ACC1, ACC2, ACC3, AV] = [19, 20, 21, 22, 23];

/** Σ of the four lanes of a v128 local: (l0 + l1) + (l2 + l3). */
const hsum = (v: number): number[] => [
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

function gemmBody(): number[] {
  const code: number[] = [];
  const emit = (...parts: number[][]): void => {
    for (const p of parts) code.push(...p);
  };
  // KB = K · 4 (bytes of one row)
  emit(get(K), i32c(4), [MUL], set(KB));
  emit(i32c(0), set(Ii));
  emit(BLOCK, LOOP); // i loop
  emit(get(Ii), get(M), [0x4f], brIf(1)); // i >= M → exit (i32.ge_u)
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
  emit(get(J), get(N), [0x4f], brIf(1)); // j >= N → exit
  emit(get(B), get(J), get(BS), [MUL, ADD], set(B0));
  emit(V_ZERO(), set(ACC0), i32c(0), set(C));
  emit(LOOP);
  emit(get(ACC0), get(AROW), get(C), [ADD], V_LOAD(), get(B0), get(C), [ADD], V_LOAD(), F4_MUL(), F4_ADD(), set(ACC0));
  emit(get(C), i32c(16), [ADD], set(C));
  emit(get(C), get(KB), [LT_U], brIf(0));
  emit([END]);
  emit(storeAcc(ACC0, 0));
  emit(get(J), i32c(1), [ADD], set(J));
  emit(br(0), [END, END]);
  emit(get(Ii), i32c(1), [ADD], set(Ii));
  emit(br(0), [END, END]);
  code.push(END);
  const locals = vec([
    [...uleb(9), I32],
    [...uleb(5), V128],
  ]);
  return [...locals, ...code];
}

/**
 * gemmNN(a, as, b, bs, out, os, m, n, k): out[i, j] = Σ_k a[i, k] · b[k, j] (bytes / byte strides /
 * counts), B row-major with j contiguous; n a multiple of 4. Sixteen output columns per pass (four
 * accumulators sharing the splatted a[i, k]), then four at a time.
 */
function gemmNNBody(): number[] {
  const [a, as, b, bs, out, os, m, n, k] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [i, j, kk, arow, bp] = [9, 10, 11, 12, 13];
  const [acc0, acc1, acc2, acc3, pv] = [14, 15, 16, 17, 18];
  const code: number[] = [];
  const emit = (...parts: number[][]): void => {
    for (const p of parts) code.push(...p);
  };
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
  emit(get(i), get(m), [0x4f], brIf(1));
  emit(get(a), get(i), get(as), [MUL, ADD], set(arow), i32c(0), set(j));
  pass(16);
  pass(4);
  emit(get(i), i32c(1), [ADD], set(i));
  emit(br(0), [END, END]);
  code.push(END);
  return [
    ...vec([
      [...uleb(5), I32],
      [...uleb(5), V128],
    ]),
    ...code,
  ];
}

/**
 * e^x for a v128 local `x` with x ≤ 0 (Cephes expf: n = round(x·log2 e), r = x − n·ln 2 in two
 * parts, degree-5 polynomial, scaled by 2ⁿ built in the exponent bits); x is clamped at −87.3 so 2ⁿ
 * stays normal. Leaves the result on the stack; uses `n` and `r` as scratch v128 locals.
 */
function expInline(x: number, n: number, r: number): number[] {
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

/**
 * softmaxRows(s, rows, n, madd, keep): for each row of n floats (n a multiple of 4) at s (row stride
 * n): x = s + madd (additive mask), p = e^(x − max x) · keep, p / Σp, in place. With madd = 0 / finfo.min
 * and keep = 1 / 0 per key, masked keys and padding columns get exactly 0.
 */
function softmaxBody(): number[] {
  const [s, rows, n, madd, keep] = [0, 1, 2, 3, 4];
  const [r, p, c, nb] = [5, 6, 7, 8];
  const [mx, sum, x, t1, t2] = [9, 10, 11, 12, 13];
  const m = 14; // f32
  const code: number[] = [];
  const emit = (...parts: number[][]): void => {
    for (const q of parts) code.push(...q);
  };
  const loopC = (body: number[][]): void => {
    emit(i32c(0), set(c), LOOP, ...body, get(c), i32c(16), [ADD], set(c), get(c), get(nb), [LT_U], brIf(0), [END]);
  };
  emit(get(n), i32c(4), [MUL], set(nb), i32c(0), set(r));
  emit(BLOCK, LOOP);
  emit(get(r), get(rows), [0x4f], brIf(1));
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
  code.push(END);
  return [
    ...vec([
      [...uleb(4), I32],
      [...uleb(5), V128],
      [...uleb(1), F32],
    ]),
    ...code,
  ];
}

/**
 * geluErf(p, n): x ← 0.5·x·(1 + erf(x/√2)) in place for n floats (n a multiple of 4). 1 + erf(x/√2)
 * is 2 − C for x ≥ 0 and C for x < 0, with C = erfc(|x|/√2) by Numerical Recipes' Chebyshev fit
 * `erfcc` (t = 1/(1 + z/2), C = t·e^(−z² + P(t)), P of degree 9; fractional error < 1.2e-7
 * everywhere), so the negative tail keeps its relative accuracy.
 */
function geluBody(): number[] {
  const [p, n] = [0, 1];
  const [c, nb] = [2, 3];
  const [x, z, t, e, t1, t2] = [4, 5, 6, 7, 8, 9];
  const cheb = [
    -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223,
    0.17087277,
  ];
  const code: number[] = [];
  const emit = (...parts: number[][]): void => {
    for (const q of parts) code.push(...q);
  };
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
  code.push(END);
  return [
    ...vec([
      [...uleb(2), I32],
      [...uleb(6), V128],
    ]),
    ...code,
  ];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const sig = (params: number[]): number[] => [0x60, ...vec(params.map((t) => [t])), ...vec([])];
  const type = section(
    1,
    vec([
      sig([I32, I32, I32, I32, I32, I32, I32, I32, I32, F32]),
      sig([I32, I32, I32, I32, I32, I32, I32, I32, I32]),
      sig([I32, I32, I32, I32, I32]),
      sig([I32, I32]),
    ]),
  );
  const imports = section(2, vec([[...str('env'), ...str('mem'), 0x02, 0x00, ...uleb(1)]]));
  const funcs = section(3, vec([uleb(0), uleb(1), uleb(2), uleb(3)]));
  const exports = section(
    7,
    vec([
      [...str('gemmNT'), 0x00, ...uleb(0)],
      [...str('gemmNN'), 0x00, ...uleb(1)],
      [...str('softmaxRows'), 0x00, ...uleb(2)],
      [...str('geluErf'), 0x00, ...uleb(3)],
    ]),
  );
  const bodies = [gemmBody(), gemmNNBody(), softmaxBody(), geluBody()];
  const code = section(10, vec(bodies.map((body) => [...uleb(body.length), ...body])));
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...type,
    ...imports,
    ...funcs,
    ...exports,
    ...code,
  ]);
}

type GemmFn = (
  a: number,
  as: number,
  b: number,
  bs: number,
  out: number,
  os: number,
  m: number,
  n: number,
  k: number,
  div: number,
) => void;
type GemmNNFn = (
  a: number,
  as: number,
  b: number,
  bs: number,
  out: number,
  os: number,
  m: number,
  n: number,
  k: number,
) => void;
type SoftmaxFn = (s: number, rows: number, n: number, madd: number, keep: number) => void;
interface Exports {
  geluErf: (p: number, n: number) => void;
  gemmNT: GemmFn;
  gemmNN: GemmNNFn;
  softmaxRows: SoftmaxFn;
}

/** The assembled kernel on its own memory. */
export class SimdGemm {
  private f32View: Float32Array;

  private constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly fn: Exports,
  ) {
    this.f32View = new Float32Array(memory.buffer);
  }

  /** The kernel, or null where WebAssembly SIMD is unavailable (callers fall back to tfjs). */
  static create(): SimdGemm | null {
    try {
      const bytes = moduleBytes();
      if (typeof WebAssembly === 'undefined' || !WebAssembly.validate(bytes)) return null;
      const memory = new WebAssembly.Memory({ initial: 1 });
      const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem: memory } });
      return new SimdGemm(memory, instance.exports as unknown as Exports);
    } catch {
      return null;
    }
  }

  /** The kernel memory as float32 (re-read after {@link reserve}: growing replaces the buffer). */
  get f32(): Float32Array {
    return this.f32View;
  }

  /** Makes the memory hold at least `floats` float32 values. */
  reserve(floats: number): void {
    const need = floats * 4;
    const have = this.memory.buffer.byteLength;
    if (need > have) {
      this.memory.grow(Math.ceil((need - have) / 65536));
      this.f32View = new Float32Array(this.memory.buffer);
    }
  }

  /**
   * out[i·os + j] = (Σ_{k<K} a[i·as + k] · b[j·bs + k]) / div for i < m, j < n. Offsets and strides
   * are in float32 elements of {@link f32}; K must be a positive multiple of 4.
   */
  gemmNT(
    a: number,
    as: number,
    b: number,
    bs: number,
    out: number,
    os: number,
    m: number,
    n: number,
    k: number,
    div = 1,
  ): void {
    if (k <= 0 || k % 4 !== 0) throw new Error(`gemmNT: K = ${k} must be a positive multiple of 4`);
    if (m <= 0 || n <= 0) return;
    this.fn.gemmNT(a * 4, as * 4, b * 4, bs * 4, out * 4, os * 4, m, n, k, div);
  }

  /**
   * out[i·os + j] = Σ_{k<K} a[i·as + k] · b[k·bs + j] for i < m, j < n (A·B, both row-major).
   * Offsets and strides in float32 elements; n must be a positive multiple of 4.
   */
  gemmNN(a: number, as: number, b: number, bs: number, out: number, os: number, m: number, n: number, k: number): void {
    if (n <= 0 || n % 4 !== 0) throw new Error(`gemmNN: N = ${n} must be a positive multiple of 4`);
    if (m <= 0 || k <= 0) return;
    this.fn.gemmNN(a * 4, as * 4, b * 4, bs * 4, out * 4, os * 4, m, n, k);
  }

  /**
   * In place: x ← GELU(x) = 0.5·x·(1 + erf(x/√2)) for the n floats at offset p (float32 elements),
   * erfc by Numerical Recipes' erfcc (fractional error < 1.2e-7). Any n ≥ 0: a tail that is not a multiple of 4
   * is padded in place past the end, so p + ceil(n/4)·4 floats must be reserved.
   */
  geluErf(p: number, n: number): void {
    if (n <= 0) return;
    this.fn.geluErf(p * 4, Math.ceil(n / 4) * 4);
  }

  /**
   * In place, for `rows` rows of n floats at s (row stride n, n a multiple of 4): softmax of
   * (s + madd) times keep, renormalised — p_j = keep_j·e^(x_j − max x) / Σ. `madd` and `keep` are
   * n floats each (offsets in float32 elements). e^x is Cephes' expf in SIMD (≤ 2 ulp).
   */
  softmaxRows(s: number, rows: number, n: number, madd: number, keep: number): void {
    if (n <= 0 || n % 4 !== 0) throw new Error(`softmaxRows: n = ${n} must be a positive multiple of 4`);
    if (rows <= 0) return;
    this.fn.softmaxRows(s * 4, rows, n, madd * 4, keep * 4);
  }
}
