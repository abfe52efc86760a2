/**
 * Node-only worker-thread entry for {@link GradientPool} (gradParallel.ts): one data-parallel replica
 * of the BERT gradient and Hessian-vector product (engine/bert/grad.ts) on its own tfjs backend. Each
 * `grad` or `hvp` message carries the replica's share of the examples; it reads the current parameters
 * from the pool's shared parameter buffer (and v from the shared vector), computes its share of the
 * mean over `total`, writes it into its own shared gradient buffer and answers with its loss share. Never imported by browser code.
 */
import * as tf from '@tensorflow/tfjs-core';
import { parentPort, workerData } from 'node:worker_threads';
import { gradient, hessianVectorProduct, type GradientResult } from '../bert/grad';
import { hostView } from '../tensor/inPlace';
import { initNodeBackend } from './backend';
import { errorFields } from './bertWorkerEntry';
import { listedDropout, type FromGradWorker, type GradWorkerInit, type ToGradWorker } from './gradParallel';

const port = parentPort!;
const post = (m: FromGradWorker): void => port.postMessage(m);

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
        // Straight from the backend's memory into the shared buffer (a view where the backend has one).
        for (const [i, e] of init.layout.entries())
          grads.set(hostView(g.grads[i]) ?? ((await g.grads[i].data()) as Float32Array), e.offset);
        tf.dispose(g.grads);
        post({ type: 'grad', id: m.id, loss: g.loss, examples: g.examples });
      })
      .catch((err: unknown) => post({ type: 'error', id: m.id, ...errorFields(err) }))
      .finally(() => tf.dispose(tensors));
  });
  post({ type: 'ready', backend: report.backend });
}

start().catch((err: unknown) => post({ type: 'error', id: -1, ...errorFields(err) }));
