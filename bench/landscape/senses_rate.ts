/**
 * The sense probe's speed on the demo checkpoints (public/demo/landscape: 4 layers × 128, pretrained
 * origin → SST-2): instances × layers per second of the contextual vectors, and the cost of one
 * heatmap (runSenses over P α values, every layer, SemEval-2010 scores) relative to one loss curve
 * (runCurve over the same α values) on the same sentences (the instances' target sentences as a
 * TSV with a dummy label, same max length and batch).
 *
 *   npx tsx bench/landscape/senses_rate.ts [--per-target 8] [--points 5] [--max-length 64] [--batch 32] [--reps 3]
 *
 * Needs /work/shared/data/wsi (SemEval-2010 test data). Prints the load average beside the figures.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { instancesFromXml, type WsiInstance } from '../../src/engine/eval/wsi/readers';
import { encodeSenseBatches, wsiSenseInstances } from '../../src/engine/landscape/senseData';
import { computeSenseVectors } from '../../src/engine/landscape/senseVectors';
import { runCurve } from '../../src/engine/landscape/services/curve';
import { runSenses } from '../../src/engine/landscape/services/senses';
import { moveTo } from '../../src/engine/landscape/model';
import { disposeParamSet } from '../../src/engine/landscape/params';
import { LandscapeSession, prepareData } from '../../src/engine/landscape/session';
import { loadOriginCheckpoint } from '../../src/engine/landscape/originCheckpoint';
import { initNodeBackend } from '../../src/engine/node/backend';
import { checkpointFiles, loadCheckpointDir } from '../../src/engine/node/checkpoint';
import { BertTokenizer } from '../../src/engine/text/bertTokenizer';

function flag(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const PER = flag('per-target', 8);
const P = flag('points', 5);
const LEN = flag('max-length', 64);
const B = flag('batch', 32);
const REPS = flag('reps', 3);
const DEMO = 'public/demo/landscape';
const WSI = '/work/shared/data/wsi/semeval2010-task14/SemEval-2010';

function xmlFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((n) =>
      statSync(join(dir, n)).isDirectory() ? xmlFiles(join(dir, n)) : n.endsWith('.xml') ? [join(dir, n)] : [],
    )
    .sort();
}

async function main(): Promise<void> {
  const backend = await initNodeBackend();
  const origin = await loadOriginCheckpoint(await checkpointFiles(`${DEMO}/pretrained`), 'pretrained');
  const toward = await loadCheckpointDir(`${DEMO}/sst2`);
  toward.name = 'sst2';
  const files = xmlFiles(`${WSI}/test_data`).map((f) => ({ name: f, text: readFileSync(f, 'utf8') }));
  const seen = new Map<string, number>();
  const wsi: WsiInstance[] = instancesFromXml('semeval2010', files, WSI).filter((i) => {
    const k = (seen.get(i.term) ?? 0) + 1;
    seen.set(i.term, k);
    return k <= PER;
  });
  const instances = wsiSenseInstances(wsi);
  const gold = readFileSync(`${WSI}/evaluation/unsup_eval/keys/all.key`, 'utf8');
  const L = toward.config.numHiddenLayers;
  const layers = Array.from({ length: L + 1 }, (_, l) => l);
  const alphas = Array.from({ length: P }, (_, k) => (P === 1 ? 1 : k / (P - 1)));
  console.log(
    `sense probe bench: demo BERT ${L} layers × ${toward.config.hiddenSize}, ${instances.length} SemEval-2010 instances (${PER} per target), length ≤ ${LEN}, batch ${B}`,
  );
  console.log(
    `backend ${backend.backend}, Node ${process.versions.node}, ${cpus().length} CPUs, load ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );

  // 1. Contextual vectors alone: instances × layers per second at one position.
  const tok = new BertTokenizer(toward.vocab!, { doLowerCase: toward.doLowerCase ?? true });
  const batches = encodeSenseBatches(instances, tok, { maxLength: LEN, batchSize: B });
  const session = LandscapeSession.open(origin, toward, [{ role: 'toward', ckpt: toward }]);
  const delta = session.directionTo(toward);
  moveTo(session.model, session.origin, [delta], [0.5], session.names);
  await computeSenseVectors(session.model, batches, layers); // warm-up
  let t0 = performance.now();
  for (let r = 0; r < REPS; r++) await computeSenseVectors(session.model, batches, layers);
  const vecSec = (performance.now() - t0) / 1000 / REPS;
  disposeParamSet(delta);
  session.dispose();
  console.log(
    `vectors      : ${((instances.length * layers.length) / vecSec).toFixed(0)} instances × layers / s (${instances.length} instances × ${layers.length} layers in ${vecSec.toFixed(2)} s, mean of ${REPS})`,
  );

  // 2. One heatmap (P positions, every layer, clustering + scoring) vs one curve on the same sentences.
  const data = { task: 'semeval2010' as const, instances, wsi, gold };
  t0 = performance.now();
  await runSenses({ origin, toward, alphas, data, clusters: 3, maxLength: LEN, batchSize: B });
  const heatSec = (performance.now() - t0) / 1000;
  const tsv = `sentence\tlabel\n${instances.map((i) => `${`${i.left} ${i.target} ${i.right}`.replace(/\t/g, ' ')}\t0`).join('\n')}\n`;
  const prepared = await prepareData(new TextEncoder().encode(tsv), 'wsi-sentences.tsv', toward, {
    maxLength: LEN,
    batchSize: B,
    split: 'dev',
  });
  t0 = performance.now();
  await runCurve({ origin, toward, head: toward, datasets: [prepared], alphas });
  const curveSec = (performance.now() - t0) / 1000;
  console.log(
    `heatmap      : ${heatSec.toFixed(2)} s for ${P} α × ${layers.length} layers (vectors + clusters + scores)`,
  );
  console.log(`curve        : ${curveSec.toFixed(2)} s for ${P} α on the same ${instances.length} sentences`);
  console.log(
    `heatmap/curve: ${(heatSec / curveSec).toFixed(2)}×   (load ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')})`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
