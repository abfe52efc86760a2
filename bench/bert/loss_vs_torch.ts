/**
 * Benchmark: `bert loss` (tfjs in Node, WASM backend unless SENSESCAPE_BACKEND=cpu) against PyTorch
 * with torch.set_num_threads(2), same checkpoint (4 layers × 256 wide, 4 heads, FFN 1024, bert-base
 * vocab, F32) and the same 512 examples (RTE train pairs truncated to 64 tokens), batch 32, eval mode.
 * Both sides time the loss over all examples after one warm-up batch. Ours runs in process on one
 * thread, then on N threads (`--threads`, default: the cores, as `bert loss` does: this thread plus
 * N − 1 workers): first from `BertWorkerPool.start` to the result, so the workers' startup (loading
 * tsx and tfjs, uploading the weights, one priming batch — while this thread already computes) is
 * counted, then again with all workers started. The CLI is also timed end to end (process start to
 * JSON, default threads). Prints the figures and the ratios (ours / PyTorch examples per second;
 * target ≥ 1).
 *
 *   nice -n 10 npx tsx bench/bert/loss_vs_torch.ts [--examples 512] [--length 64] [--batch 32] [--threads N]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initNodeBackend } from '../../src/engine/node/backend';
import { loadCheckpointDir } from '../../src/engine/node/checkpoint';
import { BertClassifier } from '../../src/engine/bert/model';
import { BertWorkerPool, defaultThreads } from '../../src/engine/node/bertParallel';
import { encodeBatches, loadExamples } from '../../src/engine/bert/data';
import { BertTokenizer } from '../../src/engine/text/bertTokenizer';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const N = opt('examples', 512);
const L = opt('length', 64);
const B = opt('batch', 32);
const THREADS = opt('threads', defaultThreads());
const ROOT = join(import.meta.dirname, '../..');
const DIR = '/tmp/sensescape-bench-bert-4x256';
const TSV = join(ROOT, '../shared/data/glue/RTE/train.tsv');
const PY = '/usr/bin/python3';

if (!existsSync(join(DIR, 'model.safetensors'))) {
  console.error(`writing the benchmark checkpoint to ${DIR} …`);
  execFileSync(PY, [join(ROOT, 'tools/bert/bench_torch.py'), 'make', DIR], { stdio: 'inherit' });
}

console.error('PyTorch …');
const torch = JSON.parse(
  execFileSync(PY, [join(ROOT, 'tools/bert/bench_torch.py'), 'time', DIR, TSV, String(N), String(L), String(B)])
    .toString()
    .trim()
    .split('\n')
    .pop()!,
);

console.error('tfjs …');
const backend = await initNodeBackend();
const t0 = performance.now();
const ckpt = await loadCheckpointDir(DIR);
const tok = new BertTokenizer(ckpt.vocab!, { doLowerCase: ckpt.doLowerCase });
const examples = loadExamples(readFileSync(TSV, 'utf8'), 'RTE/train.tsv', {
  maxExamples: N,
  label2id: ckpt.config.label2id,
});
const batches = encodeBatches(examples, tok, { maxLength: L, batchSize: B });
const model = BertClassifier.fromCheckpoint(ckpt);
const loadS = (performance.now() - t0) / 1000;
await model.evaluate(batches.slice(0, 1)); // warm-up
const t1 = performance.now();
const ours = await model.evaluate(batches);
const evalS = (performance.now() - t1) / 1000;
model.dispose();

console.error(`tfjs, ${THREADS} threads …`);
const t3 = performance.now();
const pool = await BertWorkerPool.start(ckpt, { threads: THREADS });
const par = await pool.evaluate(batches);
const coldS = (performance.now() - t3) / 1000; // pool start + evaluate: worker startup counted
await pool.ready();
const startS = pool.startupMs! / 1000;
const phases = pool.startupPhases;
const t4 = performance.now();
const warm = await pool.evaluate(batches);
const warmS = (performance.now() - t4) / 1000;
await pool.close();

console.error('CLI end to end …');
const t2 = performance.now();
const cli = JSON.parse(
  execFileSync(
    'node',
    [
      join(ROOT, 'bin/sensescape.mjs'),
      'bert',
      'loss',
      '--model',
      DIR,
      '--data',
      TSV,
      '--max-examples',
      String(N),
      '--max-length',
      String(L),
      '--batch',
      String(B),
      '--json',
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  ).toString(),
);
const cliS = (performance.now() - t2) / 1000;

const oursRate = N / evalS;
const coldRate = N / coldS;
const warmRate = N / warmS;
const torchRate = torch.examples_per_s as number;
const rel = (x: number): string => (Math.abs(x - torch.loss) / torch.loss).toExponential(2);
console.log(
  `BERT 4×256 (FFN 1024, vocab 30522), ${N} RTE pairs at length ≤ ${L} (padded ${Math.max(...batches.map((b) => b.seqLen))}), batch ${B}`,
);
console.log(
  `  PyTorch ${torch.torch}, ${torch.threads} threads: ${torch.eval_s.toFixed(2)} s = ${torchRate.toFixed(1)} examples/s (load+tokenize ${torch.load_s.toFixed(2)} s), loss ${torch.loss.toFixed(6)}`,
);
console.log(
  `  sensescape tfjs-${backend.backend}, 1 thread: ${evalS.toFixed(2)} s = ${oursRate.toFixed(1)} examples/s (load+tokenize+upload ${loadS.toFixed(2)} s), loss ${ours.loss.toFixed(6)} (|Δ|/PyTorch ${rel(ours.loss)})`,
);
const phaseText = phases
  ? ` (slowest worker: modules ${(phases.modules / 1000).toFixed(2)} s, backend ${(phases.backend / 1000).toFixed(2)} s, weights ${(phases.upload / 1000).toFixed(2)} s, priming ${(phases.prime / 1000).toFixed(2)} s)`
  : '';
console.log(
  `  sensescape tfjs-${pool.backend}, ${THREADS} threads (this one + ${THREADS - 1} worker${THREADS > 2 ? 's' : ''}), from start, worker startup included: ${coldS.toFixed(2)} s = ${coldRate.toFixed(1)} examples/s, loss ${par.loss.toFixed(6)} (|Δ|/PyTorch ${rel(par.loss)}); workers were ready after ${startS.toFixed(2)} s${phaseText}`,
);
console.log(
  `  sensescape tfjs-${pool.backend}, ${THREADS} threads, all started: ${warmS.toFixed(2)} s = ${warmRate.toFixed(1)} examples/s, loss ${warm.loss.toFixed(6)}`,
);
console.log(
  `  sensescape CLI end to end (process start to JSON, default threads): ${cliS.toFixed(2)} s, loss ${cli.loss.toFixed(6)}`,
);
console.log(
  `  ratio (ours / PyTorch examples per second): 1 thread ${(oursRate / torchRate).toFixed(2)}; ${THREADS} threads with worker startup ${(coldRate / torchRate).toFixed(2)}, all started ${(warmRate / torchRate).toFixed(2)}`,
);
