/**
 * Benchmark: the top Hessian eigenvalue and trace of the 4-layer bench checkpoint (4 × 256, bert-base
 * vocabulary, HF init — the one bench/bert/loss_vs_torch.ts writes) on the first N SST-2 dev examples,
 * ours (`runHessian`: exact H·v by tfjs double backward, WASM in Node, on the data-parallel replicas
 * `landscape hessian` picks by default — `--threads N` to force; engine/node/gradParallel.ts) against PyTorch
 * running PyHessian's algorithms over exact H·v (hessian_vs_pyhessian.py, 2 threads), side by side in
 * one run. Prints both, the ratio of seconds (ours / PyTorch; target ≤ 2) and the relative
 * differences (target ≤ 2 % for the eigenvalue; the traces are each a Hutchinson estimate, so their
 * difference is also given in combined standard errors).
 *
 *   nice -n 10 npx tsx bench/landscape/hessian_vs_pyhessian.ts [--examples 64] [--length 32] [--batch 32] [--iters 20] [--tol 1e-3] [--samples 10] [--threads N]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { initNodeBackend } from '../../src/engine/node/backend';
import { loadCheckpointDir } from '../../src/engine/node/checkpoint';
import { encodeBatches, loadExamples } from '../../src/engine/bert/data';
import { BertTokenizer } from '../../src/engine/text/bertTokenizer';
import { runHessian } from '../../src/engine/landscape/services/curvature';
import { autoHvpThreads, lazyGradientPool } from '../../src/engine/node/gradReplicas';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const N = opt('examples', 64);
const L = opt('length', 32);
const B = opt('batch', 32);
const ITERS = opt('iters', 20);
const TOL = opt('tol', 1e-3);
const M = opt('samples', 10);
const ROOT = join(import.meta.dirname, '../..');
const DIR = '/tmp/sensescape-bench-bert-4x256';
const TSV = join(ROOT, '../shared/data/glue/SST-2/dev.tsv');
const PY = '/usr/bin/python3';

if (!existsSync(join(DIR, 'model.safetensors'))) {
  console.error(`writing the benchmark checkpoint to ${DIR} …`);
  execFileSync(PY, [join(ROOT, 'tools/bert/bench_torch.py'), 'make', DIR], { stdio: 'inherit' });
}
const load0 = loadavg()[0];
console.error('PyTorch …');
const args = [DIR, TSV, N, L, B, ITERS, TOL, M, 0].map(String);
const torch = JSON.parse(
  execFileSync(PY, [join(ROOT, 'bench/landscape/hessian_vs_pyhessian.py'), ...args])
    .toString()
    .trim()
    .split('\n')
    .pop()!,
);
console.error('tfjs …');
const backend = await initNodeBackend();
const ckpt = await loadCheckpointDir(DIR);
const tok = new BertTokenizer(ckpt.vocab!, { doLowerCase: ckpt.doLowerCase });
const examples = loadExamples(readFileSync(TSV, 'utf8'), 'SST-2/dev.tsv', {
  maxExamples: N,
  label2id: ckpt.config.label2id,
});
const batches = encodeBatches(examples, tok, { maxLength: L, batchSize: B });
let eigS = 0;
let stageStart = performance.now();
let lastStage = '';
const t0 = performance.now();
const threads = opt('threads', autoHvpThreads(ckpt.config, batches));
const pool = lazyGradientPool(threads);
const ours = await runHessian(
  {
    ckpt,
    batches,
    top: 1,
    iters: ITERS,
    tol: TOL,
    traceSamples: M,
    seed: 0,
    diff: { gradient: pool.gradient, hvp: pool.hvp },
  },
  {
    onProgress: (p) => {
      if (p.stage !== lastStage) {
        if (lastStage === 'eigenvalues') eigS = (performance.now() - stageStart) / 1000;
        lastStage = p.stage;
        stageStart = performance.now();
      }
    },
  },
);
const total = (performance.now() - t0) / 1000;
await pool.close();
const traceS = (performance.now() - stageStart) / 1000;
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const result = {
  setting: { examples: N, length: L, batch: B, iters: ITERS, tol: TOL, samples: M, backend: backend.backend, threads },
  ours: {
    eigenvalue: ours.eigenvalues[0],
    trace: ours.trace,
    seconds_total: total,
    eig_s: eigS,
    trace_s: traceS,
    hvps: ours.settings.hvps,
  },
  pytorch: torch,
  eigenvalue_rel_diff: rel(ours.eigenvalues[0], torch.eigenvalue),
  trace_rel_diff: rel(ours.trace.estimate, torch.trace),
  trace_diff_in_stderr: Math.abs(ours.trace.estimate - torch.trace) / Math.hypot(ours.trace.stderr, torch.trace_stderr),
  seconds_ratio_eigen_per_hvp: eigS / (ours.settings.hvps - M) / (torch.eig_s / torch.eig_hvps),
  seconds_ratio_trace: traceS / torch.trace_s,
  load: { before: load0, after: loadavg()[0] },
};
console.log(JSON.stringify(result, null, 1));
