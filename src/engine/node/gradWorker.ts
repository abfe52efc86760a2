/**
 * Node-only worker-thread entry for {@link GradientPool} (gradParallel.ts): one data-parallel replica
 * of the BERT gradient (engine/bert/grad.ts) on its own tfjs backend. Each `grad` message carries the
 * replica's share of the update's examples; it reads the current parameters from the pool's shared
 * parameter buffer, computes the gradient of (Σ its examples' losses) / total, writes it into its own
 * shared gradient buffer and answers with its loss share. Never imported by browser code.
 */
import * as tf from '@tensorflow/tfjs-core';
import { parentPort, workerData } from 'node:worker_threads';
import { gradient, hessianVectorProduct, type GradientResult } from '../bert/grad';
import type { Dropout } from '../bert/gradForward';
import { isInputError } from '../util/errors';
import { initNodeBackend } from './backend';
import type { FromGradWorker, GradWorkerInit, ToGradWorker } from './gradParallel';

const port = parentPort!;
const post = (m: FromGradWorker): void => port.postMessage(m);

/** A dropout that takes its site seeds from a list made by the pool (see gradParallel.ts). */
function listedDropout(rates: Omit<Dropout, 'nextSeed'>, seeds: number[]): Dropout {
  let k = 0;
  return {
    ...rates,
    nextSeed: () => {
      if (k >= seeds.length) throw new Error(`gradient worker: more dropout sites than the ${seeds.length} seeds sent`);
      return seeds[k++];
    },
  };
}

async function start(): Promise<void> {
  const init = workerData as GradWorkerInit;
  const report = await initNodeBackend();
  const params = new Float32Array(init.params);
  const grads = new Float32Array(init.grads);
  port.on('message', (m: ToGradWorker) => {
    if (m.type === 'close') {
      port.close();
      return;
    }
    // Views, not copies: the backend copies on upload (WASM) or keeps the view (CPU), and the pool
    // rewrites the parameters only for the next message, after this one has answered.
    const tensors = init.layout.map((e) =>
      tf.tensor(params.subarray(e.offset, e.offset + e.length), e.shape, 'float32'),
    );
    const point = { config: init.config, names: init.layout.map((e) => e.name), tensors };
    const examples = m.batches.reduce((a, b) => a + b.batch, 0);
    let job: Promise<GradientResult>;
    if (m.type === 'hvp') {
      const vec = new Float32Array(m.vec);
      const v = init.layout.map((e) => tf.tensor(vec.subarray(e.offset, e.offset + e.length), e.shape, 'float32'));
      job = hessianVectorProduct(point, m.batches, v, { total: m.total })
        .then((grads) => ({ loss: 0, examples, grads }))
        .finally(() => tf.dispose(v));
    } else {
      const dropout = m.dropout;
      job = gradient(point, m.batches, {
        total: m.total,
        dropout: dropout ? (i) => listedDropout(dropout.rates, dropout.seeds[i]) : undefined,
      });
    }
    job
      .then(async (g) => {
        for (const [i, e] of init.layout.entries()) grads.set((await g.grads[i].data()) as Float32Array, e.offset);
        tf.dispose(g.grads);
        post({ type: 'grad', id: m.id, loss: g.loss, examples: g.examples });
      })
      .catch((err: unknown) =>
        post({
          type: 'error',
          id: m.id,
          message: err instanceof Error ? err.message : String(err),
          name: err instanceof Error ? err.name : 'Error',
          input: isInputError(err),
        }),
      )
      .finally(() => tf.dispose(tensors));
  });
  post({ type: 'ready', backend: report.backend });
}

start().catch((err: unknown) =>
  post({
    type: 'error',
    id: -1,
    message: err instanceof Error ? err.message : String(err),
    name: err instanceof Error ? err.name : 'Error',
    input: isInputError(err),
  }),
);
