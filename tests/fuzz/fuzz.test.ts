/**
 * The fuzz suite at a small size, part of `npm test` (issue 19): every parser gets FUZZ_CASES seeded
 * mutations through the CLI's `main` in-process (the full run is `npm run fuzz -- --cases N`), plus
 * a few real processes. Each must end accepted or refused cleanly (exit 2, one line), never a crash,
 * a hang past CASE_LIMIT_MS or accepted-invalid; RSS stays under RSS_LIMIT_BYTES.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fuzz } from './harness';
import { targets } from './targets';
import { tempDir, tinyCorpus } from '../../src/testing/cli';

const FUZZ_CASES = Number(process.env.FUZZ_CASES ?? 6);
const SEED = Number(process.env.FUZZ_SEED ?? 19);

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('sensescape-fuzz-')));
afterAll(() => cleanup());

describe('fuzz (in-process, small)', () => {
  for (const t of targets())
    it(`${t.name}: ${FUZZ_CASES} cases, no crash, hang or accepted-invalid`, async () => {
      const d = join(dir, t.name.replace(/\W+/g, '-'));
      mkdirSync(d, { recursive: true });
      const tally = await fuzz(t, d, FUZZ_CASES, SEED);
      expect(tally.examples, tally.examples.join('\n')).toEqual([]);
      expect(tally.crash + tally.hang + tally['accepted-invalid']).toBe(0);
      expect(tally.cases).toBe(FUZZ_CASES);
    }, 60_000);
});

describe('fuzz (real processes)', () => {
  const bin = join(__dirname, '../../bin/sensescape.mjs');
  const run = (args: string[]) =>
    spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env } });
  it('a truncated .gz corpus, /dev/zero as a surface file: exit 2, one stderr line, no stack', () => {
    const gz = gzipSync(tinyCorpus());
    writeFileSync(join(dir, 'cut.txt.gz'), gz.subarray(0, gz.length - 30));
    for (const args of [
      ['w2s', 'train', '--corpus', join(dir, 'cut.txt.gz'), '--out', join(dir, 'm.safetensors'), '--senses', '2'],
      ['landscape', 'render', '/dev/zero', '--svg', join(dir, 'z.svg')],
    ]) {
      const r = run(args);
      expect(r.status, r.stderr).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines.filter((l) => l.startsWith('sensescape: ')).length).toBe(1);
      expect(lines[lines.length - 1]).toMatch(/^sensescape: /);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    }
  }, 90_000);
});
