/**
 * The compute backend ladder: WebGPU → WebGL → WASM → CPU.
 *
 * Each rung is tried in order; a rung is kept only when tfjs initialises it *and* a probe kernel
 * returns the right numbers through an async read. Why each higher rung was skipped is recorded so
 * the UI and `sensescape doctor` can say it. Initialisation happens once per realm (module-level
 * promise): React StrictMode, repeated imports or several jobs never re-initialise it.
 *
 * WebGPU is registered through our own factory so that we can report the adapter (vendor,
 * architecture, fallback flag) and watch `device.lost`; a lost device is reported to a listener,
 * which fails the running job and moves the ladder one rung down.
 */
import * as tf from '@tensorflow/tfjs-core';
import { guardWasmHeap } from './heapGuard';
import { installWasmLayoutKernels } from './wasmLayoutKernels';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** The full ladder, best first. */
export const LADDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** What the WebGPU adapter says about itself (empty strings where the browser hides it). */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for software/fallback adapters such as SwiftShader; null when the browser does not say. */
  isFallbackAdapter: boolean | null;
}

/** The outcome of the ladder: which backend runs, on what, and why better ones were skipped. */
export interface BackendReport {
  backend: BackendName;
  adapter: AdapterSummary | null;
  skipped: { backend: BackendName; reason: string }[];
  tfjsVersion: string;
  /** WebGL only: the GL renderer string (the unmasked one where the browser gives it), e.g. "…SwiftShader…". */
  renderer?: string;
  /** Where the engine runs: a browser window, a Web Worker, or Node. */
  realm: 'window' | 'worker' | 'node';
}

export interface LadderOptions {
  /** Rungs to try, in order (default: the whole ladder). */
  rungs?: readonly BackendName[];
  /** Where the tfjs WASM binaries are served (browser) — a prefix or a file map; Node finds them itself. */
  wasmPaths?: string | Record<string, string>;
  /** Called once if the GPU device of the chosen backend is lost. */
  onDeviceLost?: (message: string) => void;
}

let ready: Promise<BackendReport> | null = null;
let report: BackendReport | null = null;

/** The realm the engine runs in. */
export function detectRealm(): BackendReport['realm'] {
  const g = globalThis as { document?: unknown; importScripts?: unknown; process?: { versions?: { node?: string } } };
  if (g.process?.versions?.node && g.document === undefined) return 'node';
  if (g.document === undefined && typeof g.importScripts === 'function') return 'worker';
  if (g.document === undefined) return 'worker';
  return 'window';
}

/**
 * Initialises the best available backend once and returns its report. Later calls return the same
 * promise, whatever their options.
 */
export function initBackend(options: LadderOptions = {}): Promise<BackendReport> {
  if (!ready) ready = climbLadder(options.rungs ?? LADDER, options, []);
  return ready;
}

/** The report of the backend in use, or null before {@link initBackend} has finished. */
export function currentBackend(): BackendReport | null {
  return report;
}

/**
 * After the backend in use failed (its GPU device was lost), re-runs the ladder from the rung
 * below it. Tensors of the lost backend are gone: jobs must start again.
 */
export function fallBackFrom(lost: BackendName, reason: string, options: LadderOptions = {}): Promise<BackendReport> {
  const rungs = (options.rungs ?? LADDER).filter((r) => LADDER.indexOf(r) > LADDER.indexOf(lost));
  const skipped = [...(report?.skipped ?? []), { backend: lost, reason }];
  try {
    tf.removeBackend(lost);
  } catch {
    // Already gone: nothing to remove.
  }
  ready = climbLadder(rungs, options, skipped);
  return ready;
}

async function climbLadder(
  rungs: readonly BackendName[],
  options: LadderOptions,
  skipped: BackendReport['skipped'],
): Promise<BackendReport> {
  for (const rung of rungs) {
    try {
      const adapter = await registerRung(rung, options);
      if (!(await tf.setBackend(rung))) throw new Error(`tf.setBackend('${rung}') returned false`);
      if (rung === 'wasm') {
        guardWasmHeap();
        installWasmLayoutKernels();
      }
      await probe();
      report = { backend: rung, adapter, skipped: [...skipped], tfjsVersion: tf.version_core, realm: detectRealm() };
      if (rung === 'webgl') report.renderer = webGlRenderer();
      return report;
    } catch (err) {
      skipped.push({ backend: rung, reason: oneLine(err) });
      try {
        tf.removeBackend(rung);
      } catch {
        // not registered
      }
    }
  }
  throw new Error(`no compute backend could start: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`);
}

/** Imports a rung's package and registers its factory; returns adapter info for WebGPU. */
async function registerRung(rung: BackendName, options: LadderOptions): Promise<AdapterSummary | null> {
  switch (rung) {
    case 'webgpu':
      return registerWebGpu(options.onDeviceLost);
    case 'webgl': {
      const hasOffscreen = typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas !== 'undefined';
      const hasDocument = typeof (globalThis as { document?: unknown }).document !== 'undefined';
      if (!hasOffscreen && !hasDocument) throw new Error('no OffscreenCanvas or document: WebGL needs a browser');
      await import('@tensorflow/tfjs-backend-webgl');
      return null;
    }
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // Threaded WASM breaks in minified builds and Node has no SharedArrayBuffer workers here.
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      if (options.wasmPaths !== undefined) {
        if (typeof options.wasmPaths === 'string') wasm.setWasmPaths(options.wasmPaths);
        else wasm.setWasmPaths(options.wasmPaths as Parameters<typeof wasm.setWasmPaths>[0]);
      }
      return null;
    }
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      return null;
  }
}

async function registerWebGpu(onDeviceLost?: (message: string) => void): Promise<AdapterSummary> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu)
    throw new Error('navigator.gpu is missing (WebGPU disabled here; Chromium needs --enable-unsafe-webgpu on Linux)');
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('navigator.gpu.requestAdapter() returned null (no usable GPU adapter)');
  const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
  const summary: AdapterSummary = {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
    isFallbackAdapter: readFallbackFlag(adapter, info),
  };
  const webgpu = await import('@tensorflow/tfjs-backend-webgpu');
  // Replace the package's own factory with one that keeps the adapter we inspected and watches loss.
  try {
    tf.removeBackend('webgpu');
  } catch {
    // not registered
  }
  tf.registerBackend(
    'webgpu',
    async () => {
      const limits = adapter.limits;
      const requiredFeatures: GPUFeatureName[] = [];
      if (adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
      const device = await adapter.requestDevice({
        requiredFeatures,
        requiredLimits: {
          maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
          maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
          maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
          maxBufferSize: limits.maxBufferSize,
          maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
          maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
        },
      });
      void device.lost.then((lost) => {
        onDeviceLost?.(`GPU device lost (${lost.reason}${lost.message ? `: ${lost.message}` : ''})`);
      });
      return new webgpu.WebGPUBackend(device, info);
    },
    3,
  );
  return summary;
}

/**
 * True when the backend is WebGPU on a software adapter (SwiftShader, llvmpipe, or one flagged as a
 * fallback) or WebGL on a software renderer: its "GPU" is the CPU, and CPU kernels serve better.
 */
export function isSoftwareGpu(r: BackendReport | null): boolean {
  if (r?.backend === 'webgl') return /swiftshader|llvmpipe|software/i.test(r.renderer ?? '');
  if (r?.backend !== 'webgpu' || !r.adapter) return false;
  const a = r.adapter;
  return (
    a.isFallbackAdapter === true ||
    /swiftshader|llvmpipe|software/i.test(`${a.vendor} ${a.architecture} ${a.device} ${a.description}`)
  );
}

/** The running WebGL backend's renderer string ('' where it cannot be read). */
function webGlRenderer(): string {
  try {
    const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } }).gpgpu?.gl;
    if (!gl) return '';
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
  } catch {
    return '';
  }
}

function readFallbackFlag(adapter: GPUAdapter, info: GPUAdapterInfo | undefined): boolean | null {
  const fromInfo = (info as (GPUAdapterInfo & { isFallbackAdapter?: boolean }) | undefined)?.isFallbackAdapter;
  if (typeof fromInfo === 'boolean') return fromInfo;
  const legacy = (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return typeof legacy === 'boolean' ? legacy : null;
}

/** A 2×2 matmul read back asynchronously: a rung that cannot do this is not usable. */
async function probe(): Promise<void> {
  const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
  const b = tf.tensor2d([5, 6, 7, 8], [2, 2]);
  const c = tf.matMul(a, b);
  try {
    const got = await c.data();
    const want = [19, 22, 43, 50];
    if (want.some((w, i) => Math.abs(got[i] - w) > 1e-3))
      throw new Error(`probe matmul gave [${Array.from(got).join(', ')}]`);
  } finally {
    tf.dispose([a, b, c]);
  }
}

/** The GPU device behind the WebGPU backend, or null on any other backend. */
export function webGpuDevice(): GPUDevice | null {
  if (report?.backend !== 'webgpu') return null;
  const backend = tf.backend() as unknown as { device?: GPUDevice };
  return backend.device ?? null;
}

function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0].trim() || 'unknown error';
}
