/**
 * Points per second of a 21×21 loss surface on a tiny BERT in Node, beside the bare forward-pass rate
 * over the same examples — the ceiling: a landscape point should cost little more than one forward
 * pass (the fused on-device update θ0 + α·d1 + β·d2 is the only extra work).
 *
 *   npx tsx bench/landscape/surface_rate.ts [--layers 2] [--hidden 128] [--examples 32] [--length 32] [--grid 21] [--batch 32] [--reps 10] [--every 5]
 *
 * `--every N`: a bare forward pass is timed after every N-th point (1 on big models, where a surface has few points).
 *
 * The model is a seeded random BERT of the given shape with the full bert-base-uncased vocabulary
 * (../shared/data/bert/vocab.txt); examples are SST-2 dev rows (../shared/data/glue/SST-2/dev.tsv).
 * θ1, θ2 are θ0 plus seeded noise (the numbers do not matter here, only the time).
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { initNodeBackend } from '../../src/engine/node/backend';
import { bertConfigFromJson, expectedShapes, type LoadedCheckpoint } from '../../src/engine/bert/checkpoint';
import { BertClassifier } from '../../src/engine/bert/model';
import { encodeBatches, loadExamples } from '../../src/engine/bert/data';
import { BertTokenizer } from '../../src/engine/text/bertTokenizer';
import { LandscapeSession } from '../../src/engine/landscape/session';
import { computeSurfacePoints, pendingTasks } from '../../src/engine/landscape/surface';
import { disposeParamSet } from '../../src/engine/landscape/params';
import { createSurface, setPoint } from '../../src/engine/io/surfaceFile';
import { demoSpec } from '../../src/testing/landscape';
import { gaussian, mulberry32 } from '../../src/engine/util/random';

function flag(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const L = flag('layers', 2);
const H = flag('hidden', 128);
const N = flag('examples', 32);
const LEN = flag('length', 32);
const G = flag('grid', 21);
const B = flag('batch', 32);
const EVERY = flag('every', 5);
const SHARED = '../shared/data';

function checkpoint(name: string, seed: number, base?: LoadedCheckpoint, noise = 0.02): LoadedCheckpoint {
  const vocab = readFileSync(`${SHARED}/bert/vocab.txt`, 'utf8')
    .split('\n')
    .filter((_, k, a) => k < a.length - 1 || a[k] !== '');
  const config = bertConfigFromJson({
    vocab_size: vocab.length,
    hidden_size: H,
    num_hidden_layers: L,
    num_attention_heads: Math.max(1, H / 64),
    intermediate_size: 4 * H,
    max_position_embeddings: 128,
    num_labels: 2,
  });
  const g = gaussian(mulberry32(seed));
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [n, shape] of expectedShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    const b = base?.tensors.get(n)?.data;
    const ln = /LayerNorm\.weight$/.test(n);
    for (let i = 0; i < size; i++) data[i] = (b ? b[i] : ln ? 1 : 0) + noise * g();
    tensors.set(n, { shape, data });
  }
  return {
    name,
    config,
    tensors,
    weightFiles: [],
    sha256: name.repeat(8).slice(0, 64),
    dtype: 'F32',
    tensorDtypes: new Map(),
    vocab,
    doLowerCase: true,
  };
}

async function main(): Promise<void> {
  const backend = await initNodeBackend();
  const origin = checkpoint('origin', 1);
  origin.tensors.delete('classifier.weight');
  origin.tensors.delete('classifier.bias');
  const t1 = checkpoint('theta1', 2, origin, 0.01);
  const t2 = checkpoint('theta2', 3, origin, 0.01);
  const tok = new BertTokenizer(t1.vocab!, { doLowerCase: true });
  const examples = loadExamples(readFileSync(`${SHARED}/glue/SST-2/dev.tsv`, 'utf8'), 'dev.tsv', { maxExamples: N });
  const batches = encodeBatches(examples, tok, { maxLength: LEN, batchSize: B });
  const params = [...t1.tensors.values()].reduce((a, t) => a + t.data.length, 0);
  const moving = [...origin.tensors.values()].reduce((a, t) => a + t.data.length, 0);
  console.log(
    `sensescape landscape bench: BERT ${L} layers × ${H}, ${params.toLocaleString('en-US')} parameters (${moving.toLocaleString('en-US')} moving), ${examples.length} SST-2 dev examples ≤ ${LEN} tokens, batch ${B}`,
  );
  console.log(
    `backend ${backend.backend} (tfjs ${backend.tfjsVersion}), Node ${process.versions.node}, ${cpus().length} CPUs`,
  );

  // Bare forward passes (the ceiling), on a plain model, before the surface.
  const plain = BertClassifier.fromCheckpoint(t1);
  await plain.evaluate(batches); // warm-up (kernel compilation, allocation)
  const reps = flag('reps', 10);
  let t0 = performance.now();
  for (let r = 0; r < reps; r++) await plain.evaluate(batches);
  const forward = reps / ((performance.now() - t0) / 1000);
  plain.dispose();
  console.log(
    `bare forward pass : ${forward.toFixed(2)} evaluations/s over the ${examples.length} examples (${reps} reps, before the surface)`,
  );

  // The surface: fused update + assign + forward per point, coarse-to-fine, results stored in a surface file.
  // Every EVERY-th point a bare forward pass at the same parameters is timed too (and excluded from the surface
  // time), so the ratio compares like with like even when the machine's load changes during the run.
  const session = LandscapeSession.open(origin, t1, [
    { role: 'x', ckpt: t1 },
    { role: 'y', ckpt: t2 },
  ]);
  const d1 = session.directionTo(t1);
  const d2 = session.directionTo(t2);
  const file = createSurface(demoSpec({ grid: { x: { min: -1, max: 2, n: G }, y: { min: -1, max: 2, n: G } } }));
  const ctx = session.context(batches);
  const sparse = ctx.sparseRows?.[0]?.rows.length;
  await computeSurfacePoints(ctx, [d1, d2], pendingTasks(file).slice(0, 1)); // warm-up
  const tensorsBefore = tf.memory().numTensors;
  const tasks = pendingTasks(file);
  let sampled = 0;
  let sampledMs = 0;
  let n = 0;
  t0 = performance.now();
  const timings = { openMs: 0, closeMs: 0 };
  await computeSurfacePoints(ctx, [d1, d2], tasks, {
    timings,
    onPoint: async (t, r) => {
      setPoint(file, t.i, t.j, r.loss, r.accuracy);
      if (++n % EVERY === 0) {
        const s0 = performance.now();
        await session.model.evaluate(batches);
        sampledMs += performance.now() - s0;
        sampled++;
      }
      if (n % 100 === 0)
        console.log(
          `  … ${n}/${tasks.length} points, ${(n / ((performance.now() - t0 - sampledMs) / 1000)).toFixed(2)} points/s`,
        );
    },
  });
  const seconds = (performance.now() - t0 - sampledMs) / 1000;
  const rate = tasks.length / seconds;
  const forwardDuring = sampled / (sampledMs / 1000);
  const leaked = tf.memory().numTensors - tensorsBefore;
  disposeParamSet(d1);
  disposeParamSet(d2);
  session.dispose();

  console.log(
    `surface ${G}×${G}     : ${rate.toFixed(2)} points/s (${tasks.length} points in ${seconds.toFixed(1)} s; word-embedding rows updated per point: ${sparse ?? 'all'}; tensors leaked: ${leaked})`,
  );
  console.log(
    `forward, sampled  : ${forwardDuring.toFixed(2)} evaluations/s (${sampled} bare passes interleaved with the surface)`,
  );
  console.log(
    `ratio             : a point costs ${(forwardDuring / rate).toFixed(3)}× a bare forward pass measured alongside it (${(forward / rate).toFixed(3)}× the one measured before)`,
  );
  // What the surface's time includes once, whatever its size: opening the plane and closing it again.
  const onceS = (timings.openMs + timings.closeMs) / 1000;
  const perPoint = (seconds - onceS) / tasks.length;
  console.log(
    `  of which once   : opening the plane ${(timings.openMs / 1000).toFixed(2)} s, closing it ${(timings.closeMs / 1000).toFixed(2)} s; the points alone ${(perPoint * forwardDuring).toFixed(3)}× a bare pass`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
