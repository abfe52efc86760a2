/**
 * The compute worker: initialises the backend ladder once at module level, then serves jobs.
 * If the GPU device is lost, running jobs fail at once with a clear message (they never hang on a
 * dead device), the ladder moves one rung down, and the UI is told which backend it now has.
 *
 * Settings arrive through the worker's name (`sensescape-compute?rungs=wasm,cpu`), because they must
 * be known before the first message.
 */
/// <reference lib="webworker" />
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import {
  currentBackend,
  fallBackFrom,
  initBackend,
  LADDER,
  type BackendName,
  type BackendReport,
  type LadderOptions,
} from '../engine/tensor/backend';
import type { CancelToken } from '../engine/util/cancel';
import { serveJobs } from './host';
import { finetuneHandlers } from './jobs/finetune';
import { curvatureHandlers } from './jobs/curvature';
import { landscapeHandlers } from './jobs/landscape';
import { sensesHandlers } from './jobs/senses';
import { systemHandlers } from './jobs/system';
import type { ComputeEvent, ComputeJobs } from './computeJobs';

declare const self: DedicatedWorkerGlobalScope;

/** A job stopped because the GPU device went away. */
class DeviceLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeviceLostError';
  }
}

function rungsFromName(): readonly BackendName[] {
  const query = self.name.split('?')[1] ?? '';
  const wanted = new URLSearchParams(query).get('rungs');
  if (!wanted) return LADDER;
  const rungs = wanted.split(',').filter((r): r is BackendName => (LADDER as readonly string[]).includes(r));
  return rungs.length > 0 ? rungs : LADDER;
}

/** Resolves with the loss message when the current backend's GPU device is lost. */
let lossSignal = deferred<string>();

const ladder: LadderOptions = {
  rungs: rungsFromName(),
  wasmPaths: {
    'tfjs-backend-wasm.wasm': wasmPlainUrl,
    'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
  },
  onDeviceLost,
};

let ready: Promise<BackendReport> = initBackend(ladder);

/** A loss turns into a DeviceLostError once the fallback backend is up (so the message can name it). */
async function lostError(message: string): Promise<DeviceLostError> {
  const next = await ready.catch(() => null);
  return new DeviceLostError(
    `${message}; the job was stopped and compute moved to ${next?.backend ?? 'no backend'} — run it again`,
  );
}

const host = serveJobs<ComputeJobs>(
  self,
  { ...systemHandlers, ...landscapeHandlers, ...sensesHandlers, ...finetuneHandlers, ...curvatureHandlers },
  {
    async around<T>(run: (token: CancelToken) => Promise<T>, token: CancelToken): Promise<T> {
      await ready;
      const signal = lossSignal.promise;
      const lost = signal.then(async (message): Promise<never> => {
        token.cancel(message);
        throw await lostError(message);
      });
      lost.catch(() => {});
      try {
        return await Promise.race([run(token), lost]);
      } catch (err) {
        if (err instanceof DeviceLostError) throw err;
        // A dying device often fails the running kernel (e.g. mapAsync) before `device.lost` resolves:
        // give the loss a moment to be reported, so the user sees the real cause.
        const message = await Promise.race([signal, new Promise<null>((r) => setTimeout(() => r(null), 300))]);
        if (message !== null) throw await lostError(message);
        throw err;
      }
    },
  },
);

const announce = (event: ComputeEvent) => host.broadcast(event);

ready.then(
  (report) => announce({ type: 'backend', report }),
  (err: unknown) => announce({ type: 'backend-failed', message: err instanceof Error ? err.message : String(err) }),
);

function onDeviceLost(message: string): void {
  const signal = lossSignal;
  lossSignal = deferred<string>();
  const lostBackend = (currentBackend()?.backend ?? 'webgpu') as BackendName;
  ready = fallBackFrom(lostBackend, message, ladder);
  signal.resolve(message);
  ready.then(
    (report) => announce({ type: 'backend', report, reason: message }),
    (err: unknown) =>
      announce({ type: 'backend-failed', message: `${message}; ${err instanceof Error ? err.message : String(err)}` }),
  );
}

function deferred<T>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
