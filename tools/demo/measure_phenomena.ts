/**
 * Measures Hao et al.'s three phenomena on the bundled landscape demo, through the CLI's JSON
 * contracts, and writes the figures the README shows:
 *
 *   npx tsx tools/demo/measure_phenomena.ts [DEMO=public/demo/landscape] [OUT=docs/demo]
 *   (env EXAMPLES=128 curve/layer examples, SURFACE_EXAMPLES=64, GRID=11)
 *
 * 1. Pretrained vs random initialisation: 1-D curves θ0 → θ1 (pretrained → SST-2 fine-tuned, and
 *    random init → SST-2 trained from scratch) on the train split; the width of the α-interval around
 *    α = 1 where J ≤ J(1) + δ, and the curvature J''(1) by a central difference. 2-D surfaces around both
 *    (pretrained: x = SST-2, y = MRPC; random: x = from-scratch, y = a filter-normalised random
 *    direction) drawn on one colour scale; the share of each grid within δ of its minimum.
 * 2. Train vs dev: the pretrained surface on both splits; Pearson r of the two grids, their minima.
 * 3. Layers: each group rolled back to θ0 (α = 0) while the rest stays fine-tuned; the loss rise per
 *    group, lower layers expected to rise less (flatter).
 * Prints a summary and writes OUT/phenomena.json and the SVGs.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { basinWidth as basin, curvatureAtOne as curvature } from '../../src/engine/landscape/basin';

const DEMO = process.argv[2] ?? 'public/demo/landscape';
const OUT = process.argv[3] ?? 'docs/demo';
const EX = process.env.EXAMPLES ?? '128';
const SEX = process.env.SURFACE_EXAMPLES ?? '64';
const GRID = Number(process.env.GRID ?? 11);
const DELTA = 0.1;
mkdirSync(OUT, { recursive: true });

const cli = (...args: string[]) => {
  process.stderr.write(`sensescape ${args.join(' ')}\n`);
  const out = execFileSync('node', ['bin/sensescape.mjs', ...args, '--json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 1 << 26,
  });
  return JSON.parse(out);
};
const ck = (name: string) => join(DEMO, name);
const data = (split: 'train' | 'dev') => join(DEMO, 'data', `sst2-${split}.tsv`);
const common = (split: 'train' | 'dev', n: string) => [
  '--data',
  data(split),
  '--max-examples',
  n,
  '--max-length',
  '64',
  '--batch',
  '32',
];

/** The basin as the phenomena file has recorded it (left, right, width). */
function basinWidthOf(alphas: number[], loss: number[], delta: number): { left: number; right: number; width: number } {
  const { left, right, width } = basin(alphas, loss, delta);
  return { left, right, width };
}

function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0,
    saa = 0,
    sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

interface Surface {
  xs: number[];
  ys: number[];
  loss: (number | null)[];
}
const readSurface = (path: string): Surface => {
  const f = JSON.parse(readFileSync(path, 'utf8'));
  return { xs: f.x, ys: f.y, loss: (f.values.loss as (number | null)[][]).flat() };
};
const argmin = (s: Surface) => {
  let best = 0;
  s.loss.forEach((v, i) => {
    if (v !== null && v < (s.loss[best] ?? Infinity)) best = i;
  });
  return { x: s.xs[best % s.xs.length], y: s.ys[Math.floor(best / s.xs.length)], loss: s.loss[best]! };
};
const shareNearMin = (s: Surface, delta: number) => {
  const v = s.loss.filter((x): x is number => x !== null);
  const m = Math.min(...v);
  return v.filter((x) => x <= m + delta).length / v.length;
};

// 1. Pretrained vs random initialisation.
const range = '-1:2:31';
const curvePre = cli(
  'landscape',
  'curve',
  '--origin',
  ck('pretrained'),
  '--toward',
  ck('sst2'),
  '--range',
  range,
  ...common('train', EX),
  '--svg',
  join(OUT, 'curve-pretrained.svg'),
);
const curveRnd = cli(
  'landscape',
  'curve',
  '--origin',
  ck('random-init'),
  '--toward',
  ck('sst2-scratch'),
  '--range',
  range,
  ...common('train', EX),
  '--svg',
  join(OUT, 'curve-random.svg'),
);
const flat = {
  pretrained: {
    ...basinWidthOf(curvePre.alphas, curvePre.loss, DELTA),
    curvature: curvature(curvePre.alphas, curvePre.loss),
    loss_at_1: curvePre.loss[20],
  },
  random: {
    ...basinWidthOf(curveRnd.alphas, curveRnd.loss, DELTA),
    curvature: curvature(curveRnd.alphas, curveRnd.loss),
    loss_at_1: curveRnd.loss[20],
  },
};

const grid = `-0.5:1.5:${GRID},-0.5:1.5:${GRID}`;
const surf = (name: string, split: 'train' | 'dev', args: string[]) => {
  const file = join(OUT, `${name}.surface.json`);
  cli('landscape', 'surface', ...args, '--grid', grid, ...common(split, SEX), '--out', file);
  return readSurface(file);
};
const preTrain = surf('surface-pretrained-train', 'train', [
  '--origin',
  ck('pretrained'),
  '--x',
  ck('sst2'),
  '--y',
  ck('mrpc'),
  '--head',
  ck('sst2'),
]);
const preDev = surf('surface-pretrained-dev', 'dev', [
  '--origin',
  ck('pretrained'),
  '--x',
  ck('sst2'),
  '--y',
  ck('mrpc'),
  '--head',
  ck('sst2'),
]);
const rnd = surf('surface-random-train', 'train', [
  '--origin',
  ck('random-init'),
  '--x',
  ck('sst2-scratch'),
  '--y',
  'random',
  '--head',
  ck('sst2-scratch'),
  '--seed',
  '0',
]);

// One colour scale for the pretrained/random pair, so the basins compare by eye.
const all = [...preTrain.loss, ...rnd.loss].filter((x): x is number => x !== null);
const domain = `${Math.min(...all).toFixed(3)}:${Math.max(...all).toFixed(3)}`;
const steps = readdirSync(DEMO)
  .filter((d) => /-step-\d+$/.test(d))
  .sort()
  .map(ck);
const trajectory = cli(
  'landscape',
  'trajectory',
  '--origin',
  ck('pretrained'),
  '--toward',
  ck('sst2'),
  '--checkpoints',
  ...steps,
  ...common('train', SEX),
);
writeFileSync(join(OUT, 'trajectory.json'), JSON.stringify(trajectory));
const render = (name: string, title: string, extra: string[] = []) =>
  cli(
    'landscape',
    'render',
    join(OUT, `${name}.surface.json`),
    '--svg',
    join(OUT, `${name}.svg`),
    '--title',
    title,
    ...extra,
  );
render('surface-pretrained-train', 'pretrained origin, SST-2 train (x: SST-2, y: MRPC)', [
  '--domain',
  domain,
  '--trajectory',
  join(OUT, 'trajectory.json'),
]);
render('surface-random-train', 'random origin, SST-2 train (x: from scratch, y: random)', ['--domain', domain]);
render('surface-pretrained-dev', 'pretrained origin, SST-2 dev (x: SST-2, y: MRPC)');

const trainDev = {
  pearson_r: pearson(
    preTrain.loss.map((v) => v ?? NaN),
    preDev.loss.map((v) => v ?? NaN),
  ),
  train_min: argmin(preTrain),
  dev_min: argmin(preDev),
};
const basin2d = {
  pretrained_share_within_delta: shareNearMin(preTrain, DELTA),
  random_share_within_delta: shareNearMin(rnd, DELTA),
};

// 3. Layers.
const layers = cli(
  'landscape',
  'layers',
  '--origin',
  ck('pretrained'),
  '--toward',
  ck('sst2'),
  '--range',
  '0:1:6',
  ...common('train', EX),
  '--svg',
  join(OUT, 'layers.svg'),
);
const rise = (layers.groups as { name: string; loss: number[] }[]).map((g) => ({
  group: g.name,
  rise: g.loss[0] - g.loss[g.loss.length - 1],
}));

const manifest = JSON.parse(readFileSync(join(DEMO, 'manifest.json'), 'utf8'));
const result = {
  demo: DEMO,
  examples: { curves: Number(EX), surfaces: Number(SEX) },
  delta: DELTA,
  models: manifest.results,
  flatness_1d: flat,
  flatness_2d: basin2d,
  train_dev: trainDev,
  layers: rise,
};
writeFileSync(join(OUT, 'phenomena.json'), JSON.stringify(result, null, 1) + '\n');
console.log(JSON.stringify(result, null, 1));
