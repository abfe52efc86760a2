/**
 * Benchmark: fine-tuning steps per second, `sensescape bert finetune`'s service (tfjs in Node, WASM
 * backend) against PyTorch with torch.set_num_threads(2) (tools/bert/finetune_bench_torch.py), on the
 * 4-layer × 256 bench checkpoint of bench/bert/loss_vs_torch.ts (made on first use), batch 32, RTE train
 * pairs truncated to 64 tokens, file order, dropout 0, AdamW lr 2e-5, clipping 1.0. Both sides take one
 * warm-up update and time the next STEPS. Ours runs as `bert finetune` does by default: data-parallel
 * gradient replicas (engine/node/gradParallel.ts), as many as autoGradThreads picks (--threads N to
 * force). Prints both rates, the ratio (ours / PyTorch; issue 17's
 * target ≥ 0.7), the first losses side by side (same data, same start: they should agree) and each
 * process's peak RSS.
 *
 *   nice -n 10 npx tsx bench/bert/finetune_vs_torch.ts [--steps 5] [--length 64] [--batch 32] [--threads N] [--dir CKPT] [--accumulate N]
 *
 * `--dir` fine-tunes another checkpoint folder with a head, e.g. a BERT-base one of tools/bert/base_bench.py
 * (`--dir /tmp/sensescape-bench-base/f32/ft-a`); `--accumulate N` splits our updates into N micro-batches of
 * batch/N (PyTorch keeps one batch), as a BERT-base batch of 32 does not fit one WASM heap of 4 GB.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadExamples } from '../../src/engine/bert/data';
import { runFinetune } from '../../src/engine/bert/finetune/finetune';
import { initNodeBackend } from '../../src/engine/node/backend';
import { loadCheckpointDir } from '../../src/engine/node/checkpoint';
import { autoGradThreads, lazyGradientPool } from '../../src/engine/node/gradReplicas';
import { heapMemory } from '../../src/engine/tensor/inPlace';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const STEPS = opt('steps', 5);
const L = opt('length', 64);
const ACC = opt('accumulate', 1);
const B = opt('batch', 32) / ACC; // our micro-batch; an update (and PyTorch's batch) is ACC × B examples
const ROOT = join(import.meta.dirname, '../..');
const dirAt = argv.indexOf('--dir');
const DIR = dirAt >= 0 ? argv[dirAt + 1] : '/tmp/sensescape-bench-bert-4x256';
const TSV = join(ROOT, '../shared/data/glue/RTE/train.tsv');
const PY = '/usr/bin/python3';

if (dirAt < 0 && !existsSync(join(DIR, 'model.safetensors'))) {
  console.error(`writing the benchmark checkpoint to ${DIR} …`);
  execFileSync(PY, [join(ROOT, 'tools/bert/bench_torch.py'), 'make', DIR], { stdio: 'inherit' });
}
console.error('PyTorch …');
const torch = JSON.parse(
  execFileSync(PY, [
    join(ROOT, 'tools/bert/finetune_bench_torch.py'),
    DIR,
    TSV,
    String(STEPS),
    String(L),
    String(B * ACC),
  ])
    .toString()
    .trim()
    .split('\n')
    .pop()!,
) as { seconds: number; steps_per_s: number; losses: number[]; threads: number; torch: string; peak_rss_mb: number };

console.error('tfjs …');
const backend = (await initNodeBackend()).backend;
const ckpt = await loadCheckpointDir(DIR);
const train = loadExamples(readFileSync(TSV, 'utf8'), 'RTE/train.tsv', {
  maxExamples: (STEPS + 1) * B * ACC,
  label2id: ckpt.config.label2id,
});
const threads = opt('threads', autoGradThreads(ckpt.config, B, ACC, L));
const pool = lazyGradientPool(threads);
const stamps: number[] = [];
const losses: number[] = [];
await runFinetune(
  { origin: ckpt, train },
  {
    steps: STEPS + 1,
    epochs: 1,
    batch: B,
    accumulate: ACC,
    lr: 2e-5,
    weightDecay: 0,
    warmupRatio: 0,
    maxGradNorm: 1,
    dropout: 0,
    shuffle: false,
    seed: 42,
    maxLength: L,
    dtype: 'F32',
  },
  {
    onLog: (e) => {
      if ('loss' in e) {
        stamps.push(performance.now());
        losses.push(e.loss);
      }
    },
    onCheckpoint: async () => undefined,
    gradient: pool.gradient,
  },
);
await pool.close();
const ourS = (stamps[STEPS] - stamps[0]) / 1000;
const ours = STEPS / ourS;
const c = ckpt.config;
console.log(
  `BERT ${c.numHiddenLayers}×${c.hiddenSize} (FFN ${c.intermediateSize}, vocab ${c.vocabSize}), batch ${B * ACC}${ACC > 1 ? ` (ours: ${ACC} micro-batches of ${B})` : ''} RTE pairs at length ≤ ${L}, AdamW, dropout 0`,
);
console.log(
  `  PyTorch ${torch.torch}, ${torch.threads} threads: ${torch.steps_per_s.toFixed(3)} steps/s (${STEPS} steps in ${torch.seconds.toFixed(2)} s)`,
);
console.log(
  `  sensescape (${backend} × ${threads} thread${threads > 1 ? 's' : ''}, autodiff path): ${ours.toFixed(3)} steps/s (${STEPS} steps in ${ourS.toFixed(2)} s)`,
);
console.log(`  ratio ours / PyTorch: ${(ours / torch.steps_per_s).toFixed(3)} (target ≥ 0.7)`);
// Peak resident memory of each whole process (ours: this thread, its WASM heap and the replicas' heaps).
const ourPeakMb = process.resourceUsage().maxRSS / 1024;
const heapMb = (heapMemory()?.buffer.byteLength ?? 0) / 2 ** 20;
console.log(
  `  peak RSS PyTorch ${torch.peak_rss_mb.toFixed(0)} MB, ours ${ourPeakMb.toFixed(0)} MB (this thread's WASM heap grew to ${heapMb.toFixed(0)} MB); ratio ${(ourPeakMb / torch.peak_rss_mb).toFixed(2)}`,
);
console.log(`  losses PyTorch ${torch.losses.map((x) => x.toFixed(5)).join(' ')}`);
console.log(`  losses ours    ${losses.map((x) => x.toFixed(5)).join(' ')}`);
