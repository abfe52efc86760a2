/**
 * Small WebAssembly SIMD (128-bit) kernels for attention and GELU on one growable memory, assembled
 * at start-up from the bodies in simd/ (no toolchain, no file to serve; the assembler is
 * tensor/wasmAsm.ts): `gemmNT` and `gemmNN` (simd/gemm.ts), `softmaxRows` and `geluErf`
 * (simd/activations.ts).
 *
 * Why: attention's per-(example, head) products are batched matmuls, and tfjs-backend-wasm 4.22
 * runs every batched matmul (batch > 1, or any transpose) through a scalar triple loop at ~1 GFLOP/s
 * (its XNNPACK path only takes 2-D products with a fixed right operand). These kernels run them at
 * several GFLOP/s on one core. Used by hostAttention.ts on the WASM/CPU path.
 *
 * Memory: one growable WebAssembly.Memory owned by the kernel; callers write operands into
 * {@link SimdGemm.f32} at offsets they choose (`reserve` grows it) and read results from it.
 */
import { F32, I32, kernelModule } from '../tensor/wasmAsm';
import { geluBody, softmaxBody } from './simd/activations';
import { gemmNNBody, gemmNTBody } from './simd/gemm';

/** The module's bytes: the four kernels, importing their memory as `env.mem`. */
function moduleBytes(): Uint8Array<ArrayBuffer> {
  const i32s = (n: number): number[] => new Array<number>(n).fill(I32);
  return kernelModule([
    { name: 'gemmNT', params: [...i32s(9), F32], body: gemmNTBody() },
    { name: 'gemmNN', params: i32s(9), body: gemmNNBody() },
    { name: 'softmaxRows', params: i32s(5), body: softmaxBody() },
    { name: 'geluErf', params: i32s(2), body: geluBody() },
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
