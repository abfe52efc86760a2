/**
 * Node-only worker-thread entry for {@link BertWorkerPool} (bertParallel.ts): one data-parallel
 * replica of a BertClassifier on its own tfjs backend (WASM, or CPU with SENSESCAPE_BACKEND=cpu).
 * It builds the model from the checkpoint's weights in a SharedArrayBuffer (one host copy for all
 * workers; each uploads into its own backend) — or, for a landscape, on a shared plane (plane.ts),
 * moving to each point a `move` message names — says `ready`, then answers each `batch` message with
 * that batch's logits (transferred, not copied). Never imported by browser code.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initNodeBackend } from './backend';
import type { HostTensor } from '../bert/checkpoint';
import { BertClassifier } from '../bert/model';
import type { PointMover } from '../bert/interpolate';
import { errorFields, type ToWorker, type FromWorker, type WorkerInit } from './bertWorkerEntry';

const port = parentPort!;
const post = (m: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

/** Epoch ms now (comparable across threads, unlike performance.now()). */
const epoch = (): number => performance.timeOrigin + performance.now();
/** When this thread's modules (tsx, tfjs, the engine) were loaded. */
const loadedAt = epoch();

async function start(): Promise<void> {
  const init = workerData as WorkerInit;
  const report = await initNodeBackend();
  const backendAt = epoch();
  const tensors = new Map<string, HostTensor>();
  for (const e of init.layout)
    tensors.set(e.name, { shape: e.shape, data: new Float32Array(init.weights, e.offset * 4, e.length) } as HostTensor);
  const ckpt = { name: init.name, config: init.config, tensors };
  let model: BertClassifier;
  let mover: PointMover | null = null;
  if (init.plane) {
    const planes = init.plane.planes.map((b) => new Float32Array(b));
    ({ model, mover } = BertClassifier.forPlane(ckpt, init.plane.layout, planes));
    mover.moveTo(new Array<number>(planes.length - 1).fill(0));
  } else model = BertClassifier.fromCheckpoint(ckpt);
  const uploadedAt = epoch();
  // One tiny batch primes the host embedding mirror and the XNNPACK operators of every Linear.
  await model.logits({
    inputIds: new Int32Array(1),
    tokenTypeIds: new Int32Array(1),
    attentionMask: Int32Array.of(1),
    batch: 1,
    seqLen: 1,
    labels: new Float32Array(1),
  });
  port.on('message', (m: ToWorker) => {
    if (m.type === 'close') {
      mover?.dispose();
      model.dispose();
      port.close();
      return;
    }
    if (m.type === 'move') {
      try {
        if (!mover) throw new Error('move: this replica is not on a plane');
        mover.moveTo(m.coeffs);
      } catch (err) {
        post({ type: 'error', index: -1, ...errorFields(err) });
      }
      return;
    }
    model.logits(m.batch).then(
      (logits) => {
        const own = logits.byteOffset === 0 && logits.byteLength === logits.buffer.byteLength ? logits : logits.slice();
        post({ type: 'logits', index: m.index, logits: own }, [own.buffer as ArrayBuffer]);
      },
      (err: unknown) => post({ type: 'error', index: m.index, ...errorFields(err) }),
    );
  });
  const now = epoch();
  post({
    type: 'ready',
    backend: report.backend,
    phasesMs: {
      modules: loadedAt - init.createdAt,
      backend: backendAt - loadedAt,
      upload: uploadedAt - backendAt,
      prime: now - uploadedAt,
    },
  });
}

start().catch((err: unknown) => post({ type: 'error', index: -1, ...errorFields(err) }));
