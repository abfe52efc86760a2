/**
 * Linear layers on the tfjs WASM heap by the project's SIMD kernel (simd/linear.ts): y = x·Wᵀ + b
 * (+ relu) with W [out, in] read where tfjs keeps it — PyTorch's layout, no transposed copy.
 *
 * Why: tfjs-backend-wasm runs a fused matMul through an XNNPACK operator that packs its weights into
 * a buffer of its own, keyed by the weight tensor. That needs the weights twice (the tensor and the
 * packing) and, in a landscape, a re-pack of every Linear at every point (measured +1.1 ms on a
 * 22.6 ms forward pass of the 2 × 128 bench model), after a transpose when the point is written in
 * PyTorch's layout. This kernel reads the tensor itself, so a point written in place is read as is;
 * measured on one core at the shapes of BERT's Linears it is as fast as XNNPACK's (bench: see
 * docs/landscape.md). The module imports the backend's memory, so it exists only where that memory
 * is an ordinary (unshared) WebAssembly.Memory with SIMD: elsewhere {@link heapLinearAvailable} is
 * false and callers keep the XNNPACK path.
 */
import * as tf from '@tensorflow/tfjs-core';
import { kernelModule, I32 } from '../tensor/wasmAsm';
import { heapAddress, heapMemory } from '../tensor/inPlace';
import { unwrittenTensor } from '../tensor/packedKernels';
import { linearBody } from './simd/linear';

type LinearFn = (
  x: number,
  xs: number,
  w: number,
  ws: number,
  bias: number,
  out: number,
  os: number,
  m: number,
  n: number,
  k: number,
) => void;
interface Kernels {
  linear: LinearFn;
  linearRelu: LinearFn;
}

/**
 * Bytes of W one kernel call reads: a panel of W's rows that stays in the core's L2 while every row of
 * x passes over it, so W is read from memory once, not once per block of x's rows. Measured on this
 * machine's EPYC at BERT-base shapes ([2048 × 768] · [768 × 2304]ᵀ): 13.5 GFLOP/s unblocked against
 * 41–45 blocked; 512 KB beat 256 KB for K = 3072 (37 against 34 GFLOP/s).
 */
const PANEL_BYTES = 512 * 1024;

let module: WebAssembly.Module | null | undefined;
const instances = new WeakMap<WebAssembly.Memory, Kernels | null>();

/** The kernels on the current backend's heap (cached per heap), or null where they cannot run. */
function kernels(): Kernels | null {
  const memory = heapMemory();
  if (!memory) return null;
  if (instances.has(memory)) return instances.get(memory)!;
  let k: Kernels | null = null;
  try {
    if (module === undefined) {
      const params = new Array<number>(10).fill(I32);
      const bytes = kernelModule([
        { name: 'linear', params, body: linearBody(false) },
        { name: 'linearRelu', params, body: linearBody(true) },
      ]);
      module = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    }
    if (module) k = new WebAssembly.Instance(module, { env: { mem: memory } }).exports as unknown as Kernels;
  } catch {
    k = null; // e.g. a shared (threaded) heap: the import's type does not match
  }
  instances.set(memory, k);
  return k;
}

/**
 * True when {@link heapLinear} can run on the current backend for Linears whose input widths are
 * `inWidths` (each a positive multiple of 4): the WASM backend, SIMD, an importable heap.
 */
export function heapLinearAvailable(inWidths: readonly number[]): boolean {
  return inWidths.every((k) => k > 0 && k % 4 === 0) && kernels() !== null;
}

/**
 * How BERT's Linears run on the current backend (for the System view): 'simd-heap' by this kernel on
 * the weights as stored; 'tfjs' through tfjs with transposed kernel copies (CPU, a heap the kernel
 * cannot import); 'device' on a GPU backend.
 */
export function linearPath(): 'simd-heap' | 'tfjs' | 'device' {
  const b = tf.getBackend();
  if (b === 'wasm') return heapLinearAvailable([4]) ? 'simd-heap' : 'tfjs';
  return b === 'cpu' ? 'tfjs' : 'device';
}

/** One Linear's parameters: W [out, in] (PyTorch layout) and b [out]. */
export interface LinearParts {
  w: tf.Tensor;
  b: tf.Tensor;
}

/**
 * x [rows, in] · Wᵀ + b for each part, side by side: [rows, Σ out] (one part: a plain Linear; the
 * Q/K/V parts of a layer: their fused projection, with no fused copy of the weights). `relu` applies
 * max(0, ·). A new tensor on the WASM heap, owned by the caller (tracked by an enclosing tidy).
 * Not differentiable: for inference only.
 * @throws Error when the kernel is unavailable ({@link heapLinearAvailable}) or a shape disagrees
 */
export function heapLinear(x: tf.Tensor2D, parts: readonly LinearParts[], relu = false): tf.Tensor2D {
  const k = kernels();
  if (!k) throw new Error('heapLinear: the SIMD Linear kernel is unavailable on this backend');
  const [m, inW] = x.shape;
  if (inW <= 0 || inW % 4 !== 0) throw new Error(`heapLinear: input width ${inW} is not a positive multiple of 4`);
  let width = 0;
  for (const { w, b } of parts) {
    if (w.rank !== 2 || w.shape[1] !== inW || b.rank !== 1 || b.shape[0] !== w.shape[0])
      throw new Error(`heapLinear: W [${w.shape}], b [${b.shape}] do not fit x [${x.shape}]`);
    width += w.shape[0];
  }
  const out = unwrittenTensor([m, width]);
  if (m === 0 || width === 0) return out;
  const fn = relu ? k.linearRelu : k.linear;
  const xa = address(x);
  const oa = address(out);
  const block = Math.max(4, Math.floor(PANEL_BYTES / (inW * 4 * 4)) * 4);
  let col = 0;
  for (const { w, b } of parts) {
    const n = w.shape[0];
    const [wa, ba] = [address(w), address(b)];
    for (let j = 0; j < n; j += block)
      fn(
        xa,
        inW * 4,
        wa + j * inW * 4,
        inW * 4,
        ba + j * 4,
        oa + (col + j) * 4,
        width * 4,
        m,
        Math.min(block, n - j),
        inW,
      );
    col += n;
  }
  return out;
}

function address(t: tf.Tensor): number {
  const a = heapAddress(t);
  if (a === null) throw new Error('heapLinear: a tensor is not a float32 tensor on the WASM heap');
  return a;
}
