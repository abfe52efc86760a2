/**
 * The fuzz harness (issue 19): seeded mutations of valid inputs run through the CLI's `main`
 * in-process, each case classified as accepted (exit 0), refused (exit 2 with exactly one
 * `sensescape: …` line last on stderr, progress lines before it), a crash (exit 1, a thrown error, a
 * stack or a malformed error), a hang (over {@link CASE_LIMIT_MS}) or accepted-invalid (exit 0 on a
 * mutation that is invalid by the format's written rules). Memory: the process's RSS after every case
 * must stay under {@link RSS_LIMIT_BYTES}.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, type CliRun } from '../../src/testing/cli';
import { mulberry32 } from '../../src/engine/util/random';

/** A case taking longer than this is a hang. */
export const CASE_LIMIT_MS = 10_000;
/** The fuzzing process's resident memory must stay under this (1.5 GiB). */
export const RSS_LIMIT_BYTES = 1.5 * 2 ** 30;

export type Rng = () => number;
export const seeded = (seed: number): Rng => mulberry32(seed);
export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
export const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

/** One generated case: the argv to run and whether the input is invalid by the format's rules. */
export interface FuzzCase {
  what: string;
  argv: string[];
  /** True when exit 0 would be a bug (the mutation breaks a written rule). */
  mustFail: boolean;
}

/** A parser under fuzz: `make(rng, k)` writes case k's files (under its own folder) and returns it. */
export interface FuzzTarget {
  name: string;
  setup(dir: string): Promise<void>;
  make(r: Rng, k: number): Promise<FuzzCase>;
}

export type Outcome = 'accepted' | 'refused' | 'crash' | 'hang' | 'accepted-invalid';

export interface Tally {
  target: string;
  cases: number;
  accepted: number;
  refused: number;
  crash: number;
  hang: number;
  'accepted-invalid': number;
  maxMs: number;
  maxRssMiB: number;
  /** Up to 15 examples of bad outcomes. */
  examples: string[];
  /** Distinct refusal messages (paths stripped), with counts. */
  refusals: Map<string, number>;
}

/** Exit 2 with exactly one error line, last, and nothing that looks like a stack. */
export function cleanRefusal(r: CliRun): boolean {
  const errs = r.errLines.filter((l) => l.startsWith('sensescape: '));
  const last = r.errLines[r.errLines.length - 1] ?? '';
  return (
    errs.length === 1 &&
    last === errs[0] &&
    !/internal error/.test(last) &&
    !r.errLines.some((l) => /^\s+at .*\(.*:\d+:\d+\)$/.test(l))
  );
}

export function classify(r: CliRun | null, c: FuzzCase): Outcome {
  if (r === null || r.ms > CASE_LIMIT_MS) return 'hang';
  if (r.code === 0) return c.mustFail ? 'accepted-invalid' : 'accepted';
  if (r.code === 2 && cleanRefusal(r)) return 'refused';
  return 'crash';
}

async function withLimit(argv: string[]): Promise<CliRun | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<null>((res) => (timer = setTimeout(() => res(null), CASE_LIMIT_MS)));
  try {
    return await Promise.race([runCli(argv), limit]);
  } catch (err) {
    return { code: 1, out: '', errLines: [`thrown: ${String(err)}`], ms: 0 };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `n` cases of `target` from `seed`; `dir` is the target's scratch folder. */
export async function fuzz(target: FuzzTarget, dir: string, n: number, seed: number): Promise<Tally> {
  const t: Tally = {
    target: target.name,
    cases: 0,
    accepted: 0,
    refused: 0,
    crash: 0,
    hang: 0,
    'accepted-invalid': 0,
    maxMs: 0,
    maxRssMiB: 0,
    examples: [],
    refusals: new Map(),
  };
  await target.setup(dir);
  const keep = new Set(readdirSync(dir));
  for (let k = 0; k < n; k++) {
    const r = seeded(seed * 1_000_003 + k);
    const c = await target.make(r, k);
    const run = await withLimit(c.argv);
    const o = classify(run, c);
    t.cases++;
    t[o]++;
    if (o === 'refused' && run) {
      const msg = (run.errLines[run.errLines.length - 1] ?? '')
        .replace(/\/[^\s:'"]*\//g, '…/')
        .replace(/\d+/g, 'N')
        .slice(0, 110);
      t.refusals.set(msg, (t.refusals.get(msg) ?? 0) + 1);
    }
    t.maxMs = Math.max(t.maxMs, run?.ms ?? CASE_LIMIT_MS);
    const rss = process.memoryUsage().rss;
    t.maxRssMiB = Math.max(t.maxRssMiB, Math.round(rss / 2 ** 20));
    if (rss > RSS_LIMIT_BYTES) {
      t.crash++;
      t.examples.push(`case ${k} (${c.what}): RSS ${Math.round(rss / 2 ** 20)} MiB over the limit`);
    }
    // each case's files go once it is judged, so a run of any size needs the disk of one case
    for (const e of readdirSync(dir)) if (!keep.has(e)) rmSync(join(dir, e), { recursive: true, force: true });
    if (o !== 'accepted' && o !== 'refused' && t.examples.length < 15)
      t.examples.push(
        `case ${k} seed ${seed} (${c.what}): ${o}: exit ${run?.code} ${run?.errLines.slice(-3).join(' | ')}`,
      );
  }
  return t;
}

// ---- mutations ----------------------------------------------------------------------------------

/** Numbers no format accepts where a finite, bounded value is due. */
export const HOSTILE_NUMBERS = ['1e999', '-1e999', 'NaN', 'Infinity', '1e300', '3.4e38', '-1', 'abc', '', '0x10'];

export function truncate(r: Rng, b: Uint8Array): Uint8Array {
  return b.subarray(0, int(r, 0, Math.max(0, b.length - 1)));
}
export function flipBit(r: Rng, b: Uint8Array, from = 0): Uint8Array {
  const out = b.slice();
  const i = int(r, Math.min(from, out.length - 1), out.length - 1);
  out[i] ^= 1 << int(r, 0, 7);
  return out;
}
export function spliceBytes(r: Rng, b: Uint8Array): Uint8Array {
  const at = int(r, 0, b.length);
  const del = r() < 0.5 ? int(r, 0, Math.min(16, b.length - at)) : 0;
  const ins = Uint8Array.from({ length: int(r, 0, 16) }, () => int(r, 0, 255));
  return new Uint8Array([...b.subarray(0, at), ...ins, ...b.subarray(at + del)]);
}
export function duplicateRange(r: Rng, b: Uint8Array): Uint8Array {
  const a = int(r, 0, b.length);
  const e = Math.min(b.length, a + int(r, 1, 64));
  return new Uint8Array([...b.subarray(0, e), ...b.subarray(a, e), ...b.subarray(e)]);
}
/** A random structure-blind byte mutation (validity unknown). */
export function blindBytes(r: Rng, b: Uint8Array): { bytes: Uint8Array; what: string } {
  const op = pick(r, ['flip', 'splice', 'dup', 'flip', 'truncate'] as const);
  if (op === 'flip') return { bytes: flipBit(r, b), what: 'bit flip' };
  if (op === 'splice') return { bytes: spliceBytes(r, b), what: 'splice' };
  if (op === 'dup') return { bytes: duplicateRange(r, b), what: 'duplicate range' };
  return { bytes: truncate(r, b), what: 'truncate' };
}

const enc = new TextEncoder();
export const utf8 = (s: string): Uint8Array => enc.encode(s);

/** Line-level text mutations (validity unknown). */
export function blindLines(r: Rng, text: string): { text: string; what: string } {
  const lines = text.split('\n');
  const i = int(r, 0, lines.length - 1);
  const op = pick(r, ['delete', 'dup', 'swap', 'field', 'tab', 'crlf', 'blank'] as const);
  if (op === 'delete') lines.splice(i, 1);
  else if (op === 'dup') lines.splice(i, 0, lines[i]);
  else if (op === 'swap') [lines[i], lines[0]] = [lines[0], lines[i]];
  else if (op === 'field') lines[i] = `${lines[i]}${pick(r, ['\t', ' '])}${pick(r, ['x', '1', '#', '"'])}`;
  else if (op === 'tab') lines[i] = lines[i].replace(/\t/, '  ');
  else if (op === 'crlf') return { text: lines.join('\r\n'), what: 'CRLF' };
  else lines[i] = '';
  return { text: lines.join('\n'), what: `line ${op}` };
}
