/**
 * `npm run fuzz -- --cases N [--seed S] [--target NAME] [--messages]`: the fuzz suite at any size, one table row
 * per parser (cases, accepted, refused, crashes, hangs, accepted-invalid, slowest case, peak RSS) and
 * the first examples of every bad outcome (`--messages`: the commonest refusal messages too). Exits 1 when any crash, hang or accepted-invalid is found.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CASE_LIMIT_MS, fuzz, RSS_LIMIT_BYTES, type Tally } from './harness';
import { targets } from './targets';
import { tempDir } from '../../src/testing/cli';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const cases = Number(flag('cases', '100'));
const seed = Number(flag('seed', '19'));
const only = flag('target', '');
if (!(cases >= 1)) throw new Error('--cases must be a positive integer');
const names = targets().map((t) => t.name);
if (only && !names.some((n) => n.includes(only)))
  throw new Error(`--target ${only} names no parser; the parsers: ${names.join(', ')}`);

// the CLI's own progress lines and notes go to the captured io; keep the terminal for the table
const { dir, cleanup } = tempDir('sensescape-fuzz-');
const rows: Tally[] = [];
try {
  console.log(
    `fuzz: ${cases} cases per parser, seed ${seed}, limits ${CASE_LIMIT_MS} ms/case, RSS ${RSS_LIMIT_BYTES / 2 ** 30} GiB`,
  );
  for (const t of targets()) {
    if (only && !t.name.includes(only)) continue;
    const d = join(dir, t.name.replace(/\W+/g, '-'));
    mkdirSync(d, { recursive: true });
    const t0 = performance.now();
    const row = await fuzz(t, d, cases, seed);
    rows.push(row);
    console.log(
      `${t.name.padEnd(24)} cases ${row.cases}  accepted ${row.accepted}  refused ${row.refused}  crash ${row.crash}  hang ${row.hang}  accepted-invalid ${row['accepted-invalid']}  slowest ${row.maxMs.toFixed(0)} ms  peak RSS ${row.maxRssMiB} MiB  (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
    for (const e of row.examples) console.log(`    ${e}`);
    if (process.argv.includes('--messages'))
      for (const [m, n] of [...row.refusals].sort((a, b) => b[1] - a[1]).slice(0, 12))
        console.log(`    ${String(n).padStart(5)}  ${m}`);
  }
} finally {
  cleanup();
}
const bad = rows.reduce((s, r) => s + r.crash + r.hang + r['accepted-invalid'], 0);
console.log(bad === 0 ? 'fuzz: no crash, hang or accepted-invalid' : `fuzz: ${bad} bad outcomes`);
process.exit(bad === 0 ? 0 : 1);
