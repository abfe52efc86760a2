/**
 * Per-kernel profile of one BertClassifier forward pass (`logits`, the path `evaluate` takes) on the benchmark checkpoint (4 × 256, batch 32,
 * length 64) with tf.profile: total kernel milliseconds by kernel name and input shapes, sorted.
 * Used to decide where the WASM forward pass spends its time.
 *
 *   nice -n 10 npx tsx bench/bert/profile.ts [--batch 32] [--length 64] [--reps 3]
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initNodeBackend } from '../../src/engine/node/backend';
import { loadCheckpointDir } from '../../src/engine/node/checkpoint';
import { BertClassifier } from '../../src/engine/bert/model';
import { encodeBatches, loadExamples } from '../../src/engine/bert/data';
import { BertTokenizer } from '../../src/engine/text/bertTokenizer';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const B = opt('batch', 32);
const L = opt('length', 64);
const REPS = opt('reps', 3);
const ROOT = join(import.meta.dirname, '../..');
const DIR = '/tmp/sensescape-bench-bert-4x256';
const TSV = join(ROOT, '../shared/data/glue/RTE/train.tsv');

await initNodeBackend();
const ckpt = await loadCheckpointDir(DIR);
const tok = new BertTokenizer(ckpt.vocab!, { doLowerCase: ckpt.doLowerCase });
const examples = loadExamples(readFileSync(TSV, 'utf8'), 'RTE/train.tsv', {
  maxExamples: B,
  label2id: ckpt.config.label2id,
});
const [batch] = encodeBatches(examples, tok, { maxLength: L, batchSize: B });
const model = BertClassifier.fromCheckpoint(ckpt);
await model.evaluate([batch]);
const totals = new Map<string, { ms: number; n: number }>();
let wall = 0;
for (let r = 0; r < REPS; r++) {
  const t0 = performance.now();
  const info = await tf.profile(async () => {
    await model.logits(batch); // the path evaluate() takes
  });
  wall += performance.now() - t0;
  for (const k of info.kernels.filter((k) => !k.name.endsWith('__op'))) {
    // skip the op wrappers (counted twice)
    const key = `${k.name} ${k.inputShapes.map((s) => `[${s}]`).join(' ')}`;
    const e = totals.get(key) ?? { ms: 0, n: 0 };
    e.ms += (await k.kernelTimeMs) as number;
    e.n++;
    totals.set(key, e);
  }
}
const rows = [...totals].sort((a, b) => b[1].ms - a[1].ms);
const sum = rows.reduce((a, [, e]) => a + e.ms, 0);
console.log(
  `batch ${batch.batch} × ${batch.seqLen}: ${(wall / REPS).toFixed(1)} ms wall per forward (profiled), tfjs kernels ${(sum / REPS).toFixed(1)} ms (the rest is host work: attention, copies)`,
);
for (const [key, e] of rows.slice(0, 30))
  console.log(
    `${(e.ms / REPS).toFixed(2).padStart(8)} ms ${((100 * e.ms) / sum).toFixed(1).padStart(5)}%  ×${e.n / REPS}  ${key}`,
  );
model.dispose();
