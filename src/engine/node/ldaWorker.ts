/**
 * Node-only worker-thread entry for {@link LdaWorkerPool} (ldaParallel.ts): one thread of the sparse LDA
 * E-step. It keeps its own kernel arena (β̃, statistics, the documents' non-zeros — ldaSparseEStep.ts's
 * layout); for each `run` it copies β̃ from the pool's shared buffer, runs E-steps and statistics of its
 * document range block by block (γ rows written straight into the shared γ of the pass), stops early
 * when the pool's stop flag is set, adds its rows to the shared progress counter, and copies its
 * statistics into its shared slot before answering. Never imported by browser code.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorFields } from './bertWorkerEntry';
import { SparseEStep, eStepBlock, sparseArena } from '../word2sense/ldaSparseEStep';
import { sparseKernels } from '../word2sense/sparseKernels';
import type { FromLdaWorker, LdaWorkerInit, ToLdaWorker } from './ldaParallel';

const port = parentPort!;
const post = (m: FromLdaWorker): void => port.postMessage(m);

function start(): void {
  const init = workerData as LdaWorkerInit;
  const { K, Kp, V, kernels } = init;
  const indptr = new Int32Array(init.indptr);
  const indices = new Int32Array(init.indices);
  const values = new Float32Array(init.values);
  const D = indptr.length - 1;
  const N = indptr[D];
  let maxRow = 1;
  const nd = new Float64Array(D);
  for (let d = 0; d < D; d++) {
    maxRow = Math.max(maxRow, indptr[d + 1] - indptr[d]);
    for (let j = indptr[d]; j < indptr[d + 1]; j++) nd[d] += values[j];
  }
  const at = sparseArena(V, Kp, N, maxRow);
  const kern = sparseKernels(at.elements, kernels);
  kern.i32.set(indices, at.idx);
  kern.f32.set(values, at.val);
  const estep = new SparseEStep(kern, K, Kp, at);
  const control = new Int32Array(init.control);
  const statsOut = new Float32Array(init.stats);
  const VK = V * Kp;
  port.on('message', (m: ToLdaWorker) => {
    if (m.type === 'close') {
      port.close();
      return;
    }
    try {
      estep.liveOnly = m.params.liveSenses;
      kern.f32.set(new Float32Array(m.beta), at.beta);
      kern.f32.fill(0, at.stats, at.stats + VK);
      const gamma = new Float32Array(m.gamma);
      let d = m.d0;
      let rounds = 0;
      while (d < m.d1 && Atomics.load(control, 0) === 0) {
        const start = d;
        const b = eStepBlock(estep, K, indptr, nd, gamma, d, m.d1, m.params.blockNnz, m.params, at.stats);
        d = b.next;
        rounds += b.rounds;
        Atomics.add(control, 1, d - start);
      }
      statsOut.set(kern.f32.subarray(at.stats, at.stats + VK));
      post({ type: 'done', id: m.id, done: d, rowRounds: rounds });
    } catch (err) {
      post({ type: 'error', id: m.id, ...errorFields(err) });
    }
  });
  post({ type: 'ready', kernels: kern.kind });
}

try {
  start();
} catch (err) {
  post({ type: 'error', id: -1, ...errorFields(err) });
}
