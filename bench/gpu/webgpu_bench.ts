/**
 * WebGPU throughput of the landscape engine in Node, with no browser (issue 18; run through
 * bench/gpu/run.sh, which installs the `webgpu` npm package — Dawn — into a temporary folder and passes
 * its entry as WEBGPU_MODULE). Two figures on the tfjs WebGPU backend: the forward pass of a BERT
 * (default BERT-base: 12 × 768, bert-base vocab) over one batch of 32 examples of 128 tokens, and a 5 × 5
 * loss surface over 64 examples (θ0 + x·d1 + y·d2, points moved on the device). Seeded random weights and
 * token ids (every example full length: the worst case for a given length). Prints ONE JSON line with
 * the adapter's name.
 *
 *   WEBGPU_MODULE=/tmp/x/node_modules/webgpu/index.js npx tsx bench/gpu/webgpu_bench.ts \
 *     [--layers 12] [--hidden 768] [--vocab 30522] [--batch 32] [--length 128] [--examples 64] [--grid 5] [--reps 3]
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/engine/tensor/backend';
import { installDawn } from './dawn';
import { BertClassifier } from '../../src/engine/bert/model';
import { LandscapeSession } from '../../src/engine/landscape/session';
import { computeSurfacePoints, pendingTasks } from '../../src/engine/landscape/surface';
import { disposeParamSet } from '../../src/engine/landscape/params';
import { createSurface } from '../../src/engine/io/surfaceFile';
import { demoSpec } from '../../src/testing/landscape';
import { randomBatches, randomBertCheckpoint } from '../../src/testing/randomBert';

const flag = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const LAYERS = flag('layers', 12);
const HIDDEN = flag('hidden', 768);
const VOCAB = flag('vocab', 30522);
const BATCH = flag('batch', 32);
const LEN = flag('length', 128);
const EXAMPLES = flag('examples', 64);
const GRID = flag('grid', 5);
const REPS = flag('reps', 3);

await installDawn();

const report = await initBackend({ rungs: ['webgpu'] });
const shape = { layers: LAYERS, hidden: HIDDEN, vocab: VOCAB, heads: HIDDEN / 64, maxPositions: Math.max(LEN, 128) };
const t1 = randomBertCheckpoint('theta1', shape, 2);
const origin = randomBertCheckpoint('origin', shape, 1, { base: t1, noise: 0.005 });
origin.tensors.delete('classifier.weight');
origin.tensors.delete('classifier.bias');
const t2 = randomBertCheckpoint('theta2', shape, 3, { base: t1, noise: 0.005 });
const params = [...t1.tensors.values()].reduce((a, t) => a + t.data.length, 0);
const H = HIDDEN;
const flopsPerToken = 2 * LAYERS * (4 * H * H + 2 * H * 4 * H);

// Forward: one batch of BATCH × LEN, after a warm-up (shader compilation).
const model = BertClassifier.fromCheckpoint(t1);
const [fb] = randomBatches(VOCAB, 1, BATCH, LEN, 7).map((b) => ({ ...b, attentionMask: b.attentionMask.fill(1) }));
for (let i = 0; i < fb.inputIds.length; i++) if (fb.inputIds[i] === 0) fb.inputIds[i] = 1 + (i % (VOCAB - 1));
await model.evaluate([fb]);
let t0 = performance.now();
for (let r = 0; r < REPS; r++) await model.evaluate([fb]);
const fwdSeconds = (performance.now() - t0) / 1000 / REPS;
model.dispose();

// Surface: GRID × GRID points over EXAMPLES examples (batches of BATCH), directions θ1 − θ0 and θ2 − θ0.
const batches = randomBatches(VOCAB, Math.ceil(EXAMPLES / BATCH), BATCH, LEN, 8).map((b) => ({
  ...b,
  attentionMask: b.attentionMask.fill(1),
  inputIds: b.inputIds.map((v, i) => (v === 0 ? 1 + (i % (VOCAB - 1)) : v)),
}));
const session = LandscapeSession.open(origin, t1, [
  { role: 'x', ckpt: t1 },
  { role: 'y', ckpt: t2 },
]);
const d1 = session.directionTo(t1);
const d2 = session.directionTo(t2);
const file = createSurface(demoSpec({ grid: { x: { min: -1, max: 1, n: GRID }, y: { min: -1, max: 1, n: GRID } } }));
const ctx = session.context(batches);
await computeSurfacePoints(ctx, [d1, d2], pendingTasks(file).slice(0, 1)); // warm-up
const tasks = pendingTasks(file);
t0 = performance.now();
const results = await computeSurfacePoints(ctx, [d1, d2], tasks);
const surfSeconds = (performance.now() - t0) / 1000;
t0 = performance.now();
await session.model.evaluate(batches);
const bareSeconds = (performance.now() - t0) / 1000;
disposeParamSet(d1);
disposeParamSet(d2);
session.dispose();

const examples = batches.reduce((a, b) => a + b.batch, 0);
console.log(
  JSON.stringify({
    adapter: report.adapter,
    backend: report.backend,
    tfjs: tf.version_core,
    node: process.versions.node,
    model: { layers: LAYERS, hidden: HIDDEN, vocab: VOCAB, parameters: params },
    forward: {
      batch: BATCH,
      length: LEN,
      secondsPerBatch: Number(fwdSeconds.toFixed(4)),
      examplesPerSecond: Number((BATCH / fwdSeconds).toFixed(2)),
      gflops: Number(((flopsPerToken * BATCH * LEN) / fwdSeconds / 1e9).toFixed(2)),
    },
    surface: {
      grid: `${GRID}x${GRID}`,
      examples,
      length: LEN,
      seconds: Number(surfSeconds.toFixed(2)),
      pointsPerSecond: Number((tasks.length / surfSeconds).toFixed(4)),
      pointVsBareForward: Number((surfSeconds / tasks.length / bareSeconds).toFixed(3)),
      finite: results.every((r) => Number.isFinite(r.loss)),
    },
  }),
);
process.exit(0);
