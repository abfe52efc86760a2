/**
 * How a BERT worker thread is started and what crosses to it: the messages both sides exchange, and
 * the entry the thread loads — the bundled `bertWorker.mjs` beside the bundled CLI (dist-cli/), else
 * the TypeScript sources through tsx's loader (as under tsx and vitest).
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BertConfig } from '../bert/config';
import type { EncodedBatch } from '../bert/data';
import type { PlaneLayout } from '../bert/plane';
import { isInputError } from '../util/errors';

/** What a worker is started with (structured-cloned; `weights` is shared, not copied). */
export interface WorkerInit {
  name: string;
  config: BertConfig;
  weights: SharedArrayBuffer;
  /** Each tensor's place in `weights`, in float32 elements. */
  layout: { name: string; shape: number[]; offset: number; length: number }[];
  /** Epoch ms (performance.timeOrigin + now) when the worker was created. */
  createdAt: number;
  /** A replica on a shared plane (plane.ts): `weights` then holds only the fixed parameters; `planes` are [θ0, d_1, …]. */
  plane?: { layout: PlaneLayout; planes: SharedArrayBuffer[] };
}

/** Where a worker's startup went, ms: loading modules (tsx, tfjs, engine), backend init, weight upload, priming batch. */
export interface StartupPhases {
  modules: number;
  backend: number;
  upload: number;
  prime: number;
}

export type ToWorker =
  | { type: 'batch'; index: number; batch: EncodedBatch }
  /** Plane replicas: move to θ0 + Σ coeffs[k]·d_k before the next batch. */
  | { type: 'move'; coeffs: number[] }
  | { type: 'close' };
export type FromWorker =
  | { type: 'ready'; backend: string; phasesMs: StartupPhases }
  | { type: 'logits'; index: number; logits: Float32Array }
  | { type: 'error'; index: number; message: string; name: string; input?: boolean };

/** An error as a worker posts it (message, name, and whether it is the user's input error). */
export function errorFields(err: unknown): { message: string; name: string; input: boolean } {
  return {
    message: err instanceof Error ? err.message : String(err),
    name: err instanceof Error ? err.name : 'Error',
    input: isInputError(err),
  };
}

/** Bootstrap run as the worker's (CommonJS, eval) script: register tsx for `.ts` entries, then import the entry. */
export const BOOTSTRAP = `
const { workerData, parentPort } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.entry);
})().catch((e) => parentPort.postMessage({ type: 'error', index: -1, name: (e && e.name) || 'Error', message: String((e && e.message) || e) }));
`;

/** Where a worker thread's module is: `name` is bertWorker (the loss replicas) or gradWorker (gradient replicas). */
export function workerEntry(name: 'bertWorker' | 'gradWorker' | 'ldaWorker' = 'bertWorker'): {
  entry: string;
  tsx: string | null;
} {
  // In the bundled CLI (dist-cli/, scripts/build-cli.mjs) the worker's entry is bundled beside this code.
  const bundled = new URL(`./${name}.mjs`, import.meta.url);
  if (bundled.protocol === 'file:' && existsSync(fileURLToPath(bundled))) return { entry: bundled.href, tsx: null };
  const entry = new URL(`./${name}.ts`, import.meta.url);
  if (!entry.pathname.endsWith('.ts')) return { entry: entry.href, tsx: null };
  // The ESM build of tsx's API (its CommonJS build cannot be imported from an ESM context).
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  const esm = cjs.replace(/\.cjs$/, '.mjs');
  return { entry: entry.href, tsx: pathToFileURL(existsSync(esm) ? esm : cjs).href };
}

/** The tensors' values in one SharedArrayBuffer (one host copy every worker reads) and where each lies. */
export function sharedWeights(
  tensors: ReadonlyMap<string, { shape: number[]; data: Float32Array }>,
): Pick<WorkerInit, 'weights' | 'layout'> {
  let total = 0;
  const layout: WorkerInit['layout'] = [];
  for (const [name, t] of tensors) {
    layout.push({ name, shape: t.shape, offset: total, length: t.data.length });
    total += t.data.length;
  }
  const weights = new SharedArrayBuffer(total * 4);
  const all = new Float32Array(weights);
  for (const e of layout) all.set(tensors.get(e.name)!.data, e.offset);
  return { weights, layout };
}

/** Starts `n` worker threads with `init`. */
export function spawn(init: Omit<WorkerInit, 'createdAt'>, n: number): Worker[] {
  const { entry, tsx } = workerEntry();
  return Array.from(
    { length: n },
    () =>
      new Worker(BOOTSTRAP, {
        eval: true,
        workerData: { ...init, createdAt: performance.timeOrigin + performance.now(), entry, tsx },
      }),
  );
}
