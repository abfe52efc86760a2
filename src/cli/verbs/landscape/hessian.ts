/**
 * `sensescape landscape hessian --model DIR --data TSV [data flags] [--top K] [--iters N] [--tol T]
 * [--trace-samples M] [--density] [--groups] [--seed S] [--threads N]`: the Hessian of the mean loss through exact
 * Hessian-vector products (engine service runHessian): top-K eigenvalues by magnitude (PyHessian's
 * power iteration), Hutchinson's trace with its standard error, optionally the SLQ spectral density
 * and the per-block figures. JSON: {loss, gradient_norm, parameters, eigenvalues, trace: {estimate,
 * stderr, samples}, density?: {grid, values, vectors, steps}, groups?: [{name, parameters, eigenvalue,
 * trace}], examples, settings}.
 */
import { runHessian } from '../../../engine/landscape/services/curvature';
import { initNodeBackend } from '../../../engine/node/backend';
import { CancelToken } from '../../../engine/util/cancel';
import { defineVerb } from '../../command';
import { autoHvpThreads } from '../../../engine/node/gradReplicas';
import { gradientReplicas, threadsFlag } from '../replicas';
import { cancelOnSignal, DATA_FLAGS, loadData, loadDir, progressLine } from './shared';

export const hessian = defineVerb({
  area: 'landscape',
  verb: 'hessian',
  summary: 'Hessian spectrum of the loss: top eigenvalues, trace (Hutchinson), density (SLQ), per-block figures',
  flags: {
    model: { kind: 'string', required: true, placeholder: 'DIR', description: 'fine-tuned checkpoint folder' },
    ...DATA_FLAGS,
    top: { kind: 'int', min: 1, default: 3, placeholder: 'K', description: 'eigenvalues of largest magnitude' },
    iters: { kind: 'int', min: 1, default: 100, placeholder: 'N', description: 'power-iteration limit per eigenvalue' },
    tol: { kind: 'number', default: 1e-3, placeholder: 'T', description: 'relative tolerance of the power iteration' },
    'trace-samples': { kind: 'int', min: 2, default: 50, placeholder: 'M', description: 'Hutchinson samples' },
    density: { kind: 'boolean', description: 'also the spectral density (SLQ: 1 vector × 30 Lanczos steps)' },
    groups: { kind: 'boolean', description: 'also per block: embeddings, layer.l, pooler, classifier' },
    seed: { kind: 'int', default: 0, placeholder: 'S', description: 'seed of the random vectors (and --sample)' },
    ...threadsFlag('gradients and H·v', 'one H·v'),
  },
  async run({ flags, json }, io) {
    const ckpt = await loadDir(flags.model, 'model');
    const data = await loadData(flags, ckpt);
    await initNodeBackend();
    const threads = flags.threads ?? autoHvpThreads(ckpt.config, data.batches);
    const pool = gradientReplicas(threads, io, 'landscape hessian');
    const token = new CancelToken();
    const release = cancelOnSignal(token, io);
    try {
      const r = await runHessian(
        {
          ckpt,
          batches: data.batches,
          top: flags.top,
          iters: flags.iters,
          tol: flags.tol,
          traceSamples: flags['trace-samples'],
          density: flags.density,
          groups: flags.groups,
          seed: flags.seed,
          diff: pool,
        },
        { token, onProgress: progressLine(io, 'landscape hessian') },
      );
      if (json) {
        io.stdout(JSON.stringify(r));
        return;
      }
      io.stdout(
        `${ckpt.name}: loss ${r.loss.toPrecision(6)}  ‖∇L‖ ${r.gradient_norm.toPrecision(4)}  ${r.parameters} parameters, ${r.examples} examples`,
      );
      io.stdout(`eigenvalues (by magnitude): ${r.eigenvalues.map((v) => v.toPrecision(5)).join(', ')}`);
      io.stdout(
        `trace ${r.trace.estimate.toPrecision(5)} ± ${r.trace.stderr.toPrecision(2)} (Hutchinson, ${r.trace.samples} samples)`,
      );
      for (const g of r.groups ?? [])
        io.stdout(
          `  ${g.name.padEnd(12)} ${String(g.parameters).padStart(10)} params  λ ${g.eigenvalue.toPrecision(5)}  trace ${g.trace.estimate.toPrecision(5)} ± ${g.trace.stderr.toPrecision(2)}`,
        );
      if (r.density) io.stdout(`density: ${r.density.vectors} vector(s) × ${r.density.steps} Lanczos steps`);
      io.stdout(`${r.settings.hvps} Hessian-vector products`);
    } finally {
      release();
      await pool.close();
    }
  },
});
