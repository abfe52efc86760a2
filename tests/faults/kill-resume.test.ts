/**
 * Long jobs keep their promise under faults (issue 19): `landscape surface` on the tiny fixtures is
 * killed with SIGKILL at seeded random moments of its computation 20 times, each time resumed from what it saved, and
 * must end with the same surface file (spec, coordinates and every value, exactly) as one
 * uninterrupted run. Saves are atomic (temp file + rename), so a kill never leaves half a file (it may
 * leave a stray `*.tmp-PID`, which nothing reads). A run that finishes before its kill starts over
 * from an empty file, so every kill lands in a run with work left.
 * The CLI runs as real processes from an esbuild bundle built once here (dist-cli/kill-test/, ignored
 * by git), so each start costs about a second rather than a TypeScript compile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { countComputed, parseSurface } from '../../src/engine/io/surfaceFile';
import { mulberry32 } from '../../src/engine/util/random';
import { FIXTURES, tempDir } from '../../src/testing/cli';

const ROOT = join(__dirname, '../..');
const OUT = join(ROOT, 'dist-cli/kill-test');
const RUNNER = join(OUT, 'run.mjs');
const KILLS = 20;
const L = join(FIXTURES, 'landscape');

let dir: string;
let cleanup: () => void;
beforeAll(async () => {
  ({ dir, cleanup } = tempDir('sensescape-kill-'));
  mkdirSync(OUT, { recursive: true });
  await build({
    entryPoints: { sensescape: join(ROOT, 'src/cli/main.ts'), bertWorker: join(ROOT, 'src/engine/node/bertWorker.ts') },
    outdir: OUT,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  writeFileSync(
    RUNNER,
    "import { main } from './sensescape.mjs';\nprocess.exitCode = await main(process.argv.slice(2));\n",
  );
}, 60_000);
afterAll(() => cleanup());

const args = (file: string, resume: boolean) => [
  RUNNER,
  'landscape',
  'surface',
  '--origin',
  join(L, 'origin'),
  '--x',
  join(L, 'ft-a'),
  '--y',
  join(L, 'ft-b'),
  '--data',
  join(L, 'data/sst2-dev.tsv'),
  '--max-length',
  '32',
  // 9 × 8 points saved every 50 ms: on a quiet machine the 5 × 4 grid finished within one or two saves, so
  // the kills could not land at several stages (the check at the end failed there with 1 partial stage).
  '--grid=-1:1:9,-1:1:8',
  '--save-every',
  '0.05',
  resume ? '--resume' : '--out',
  file,
];

/**
 * Starts a run and SIGKILLs it: `ms` after it starts computing (its "points to compute" line) when
 * `afterSave` is false, else `ms` after it has saved new points to `file` — so some kills land before
 * any save of the run and most land mid-computation, whatever the machine's load. Resolves with how
 * the run ended (it may finish first).
 */
function runKilled(
  argv: string[],
  file: string,
  ms: number,
  afterSave: boolean,
): Promise<{ killed: boolean; code: number | null; err: string }> {
  const leftAtStart = existsSync(file) ? remaining(file) : Infinity;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    let timer: ReturnType<typeof setTimeout> | undefined;
    let poll: ReturnType<typeof setInterval> | undefined;
    const arm = () => (timer ??= setTimeout(() => child.kill('SIGKILL'), ms));
    child.stderr.on('data', (d) => {
      err += String(d);
      if (!/points to compute/.test(err) || poll || timer) return;
      if (!afterSave) arm();
      else
        poll = setInterval(() => {
          if (existsSync(file) && remaining(file) < leftAtStart) {
            clearInterval(poll);
            arm();
          }
        }, 25);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      clearInterval(poll);
      resolve({ killed: signal === 'SIGKILL', code, err });
    });
  });
}

const remaining = (path: string): number => {
  const f = parseSurface(readFileSync(path, 'utf8'), path);
  return f.x.length * f.y.length - countComputed(f);
};

const comparable = (path: string) => {
  const f = parseSurface(readFileSync(path, 'utf8'), path);
  return { spec: f.spec, x: f.x, y: f.y, values: f.values };
};

describe('landscape surface under SIGKILL', () => {
  it(`killed ${KILLS} times at random moments and resumed, it ends with the uninterrupted run's file`, async () => {
    const whole = join(dir, 'whole.json');
    const r = spawnSync(process.execPath, args(whole, false), { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);

    const file = join(dir, 'killed.json');
    const rand = mulberry32(19);
    let kills = 0;
    const partial = new Set<number>(); // distinct partial point counts left by kills
    for (let attempt = 0; kills < KILLS && attempt < 10 * KILLS; attempt++) {
      const run = await runKilled(args(file, existsSync(file)), file, rand() * 300, rand() < 0.75);
      if (run.killed) {
        kills++;
        // a kill leaves the last complete save (or nothing yet), never half a file
        if (existsSync(file)) {
          const f = parseSurface(readFileSync(file, 'utf8'), file);
          const done = countComputed(f);
          if (done > 0 && done < f.x.length * f.y.length) partial.add(done);
        }
      } else {
        // it finished before the kill: start a fresh file so every kill lands in a run with work left
        expect(run.code, run.err).toBe(0);
        rmSync(file);
      }
    }
    const last = spawnSync(process.execPath, args(file, existsSync(file)), { encoding: 'utf8', timeout: 120_000 });
    expect(last.status, last.stderr).toBe(0);
    expect(comparable(file)).toEqual(comparable(whole));
    expect(kills).toBe(KILLS);
    // the kills did land mid-computation, at several different stages
    expect(partial.size).toBeGreaterThanOrEqual(3);
  }, 240_000);
});
