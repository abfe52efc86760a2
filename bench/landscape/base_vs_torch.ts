/**
 * Benchmark (issue 18): a 1-D landscape curve at BERT-base scale, whole process, ours vs a plain
 * PyTorch script, side by side in one run. Checkpoints: tools/bert/base_bench.py make (12 × 768,
 * 109.5M parameters, HF layout; an origin without head and a fine-tuned-like copy with one), F32 by
 * default (`--dtype f16` for the F16 copies). Workload: 11 points α ∈ [−0.5, 1.5] over the first 64
 * SST-2 dev examples at max length 128, batch 32.
 *
 * Ours: `node bin/sensescape.mjs landscape curve … --json` with default flags, under /usr/bin/time
 * (wall seconds, peak RSS); "load" is the time from process start to the first progress line (the
 * checkpoints read, hashed, checked, uploaded and the examples tokenized). PyTorch: base_bench.py
 * curve (2 threads) under /usr/bin/time; its load is what the script reports (checkpoints read and
 * the model built). Prints every figure and the three ratios of the targets: whole process (PyTorch
 * seconds / ours, target ≥ 1.0), load (ours / PyTorch, ≤ 1.5), peak RSS (ours / PyTorch, ≤ 1.2),
 * and the largest loss difference between the two curves.
 *
 *   npx tsx bench/landscape/base_vs_torch.ts [--dir /tmp/sensescape-bench-base] [--dtype f32|f16]
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const ROOT = join(import.meta.dirname, '../..');
const DIR = opt('dir', '/tmp/sensescape-bench-base');
const DTYPE = opt('dtype', 'f32');
const PY = '/usr/bin/python3';
const TSV = join(ROOT, '../shared/data/glue/SST-2/dev.tsv');
const N = 64;
const L = 128;
const RANGE = '-0.5:1.5:11';
const origin = join(DIR, DTYPE, 'origin');
const toward = join(DIR, DTYPE, 'ft-a');

if (!existsSync(join(toward, 'model.safetensors'))) {
  console.error(`writing BERT-base-sized checkpoints to ${DIR} (a few minutes) …`);
  execFileSync(PY, [join(ROOT, 'tools/bert/base_bench.py'), 'make', DIR], { stdio: 'inherit' });
}

// Ours runs the CLI bundle; bin/sensescape.mjs falls back to the TypeScript sources through tsx when the
// bundle is older than src/ (slower to load, more memory), so the bundle is rebuilt first.
execFileSync('node', [join(ROOT, 'scripts/build-cli.mjs')], { cwd: ROOT, stdio: 'inherit' });

interface Timed {
  seconds: number;
  maxRssMb: number;
  stdout: string;
  /** Seconds from start to each stderr line. */
  lines: { t: number; text: string }[];
}

/** Runs a command under /usr/bin/time, timestamping its stderr lines. */
function timed(cmd: string, args: string[]): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'TIME %e %M', cmd, ...args], { cwd: ROOT });
    let out = '';
    let buf = '';
    const lines: Timed['lines'] = [];
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        lines.push({ t: (performance.now() - t0) / 1000, text: buf.slice(0, i) });
        buf = buf.slice(i + 1);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const last = lines.find((l) => l.text.startsWith('TIME '));
      if (code !== 0 || !last)
        return reject(new Error(`${cmd} exited ${code}: ${lines.map((l) => l.text).join('\n')}`));
      const [, sec, kb] = last.text.split(' ');
      resolve({ seconds: Number(sec), maxRssMb: Number(kb) / 1024, stdout: out, lines });
    });
  });
}

const load = loadavg()[0];
console.error(`load average ${load.toFixed(2)}; PyTorch …`);
const torch = await timed(PY, [
  join(ROOT, 'tools/bert/base_bench.py'),
  'curve',
  origin,
  toward,
  TSV,
  String(N),
  String(L),
  RANGE,
]);
const peer = JSON.parse(torch.stdout.trim().split('\n').pop()!);

console.error('sensescape …');
const ours = await timed('node', [
  'bin/sensescape.mjs',
  'landscape',
  'curve',
  '--origin',
  origin,
  '--toward',
  toward,
  '--data',
  TSV,
  '--max-examples',
  String(N),
  '--max-length',
  String(L),
  '--range',
  RANGE,
  '--json',
]);
const curve = JSON.parse(ours.stdout);
const firstProgress = ours.lines.find((l) => /landscape curve: /.test(l.text));
const ourLoad = firstProgress?.t ?? Number.NaN;
const maxDiff = Math.max(
  ...curve.loss.map((v: number, k: number) => Math.abs(v - peer.loss[k]) / Math.abs(peer.loss[k])),
);

const result = {
  workload: { checkpoints: DTYPE, examples: N, maxLength: L, points: 11 },
  loadAverage: +load.toFixed(2),
  pytorch: {
    wallS: torch.seconds,
    loadS: +peer.load_s.toFixed(2),
    pointsS: +peer.points_s.toFixed(2),
    maxRssMb: Math.round(torch.maxRssMb),
  },
  sensescape: { wallS: ours.seconds, loadS: +ourLoad.toFixed(2), maxRssMb: Math.round(ours.maxRssMb) },
  ratios: {
    wholeProcess: +(torch.seconds / ours.seconds).toFixed(3),
    load: +(ourLoad / peer.load_s).toFixed(3),
    peakRss: +(ours.maxRssMb / torch.maxRssMb).toFixed(3),
  },
  targets: { wholeProcess: '≥ 1.0', load: '≤ 1.5', peakRss: '≤ 1.2' },
  maxRelativeLossDifference: maxDiff,
};
console.log(JSON.stringify(result, null, 2));
