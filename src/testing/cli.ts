/**
 * Test helpers for running the CLI in-process (the same `main` the binary runs, with stdout/stderr
 * captured) and for building hostile inputs in a temporary folder: copies of the fixture checkpoints
 * with tensors, vocab or links changed, gzip streams cut or corrupted. Never imported by shipped code.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { main } from '../cli/main';
import { SafetensorsFile, writeSafetensors, type TensorToWrite } from '../engine/io/safetensors';

/** Where the repository's fixtures live. */
export const FIXTURES = fileURLToPath(new URL('../../tests/fixtures', import.meta.url));

export interface CliRun {
  code: number;
  out: string;
  /** stderr lines (progress and notes first, the error last). */
  errLines: string[];
  ms: number;
}

/** Runs `sensescape …argv` in-process; returns the exit code and what was printed. */
export async function runCli(argv: string[]): Promise<CliRun> {
  let out = '';
  const errLines: string[] = [];
  const t0 = performance.now();
  const code = await main(argv, {
    stdout: (t) => void (out += t.endsWith('\n') ? t : `${t}\n`),
    stderr: (t) => void errLines.push(...t.replace(/\n$/, '').split('\n')),
  });
  return { code, out, errLines, ms: performance.now() - t0 };
}

/** The last stderr line (the one-line error of a failed run). */
export const lastLine = (r: CliRun): string => r.errLines[r.errLines.length - 1] ?? '';

/** A fresh temporary folder and the function that removes it. */
export function tempDir(prefix = 'sensescape-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Copies fixture folder `rel` (under tests/fixtures) to `dest`. */
export function copyFixture(rel: string, dest: string): string {
  cpSync(join(FIXTURES, rel), dest, { recursive: true });
  return dest;
}

/**
 * Rewrites `dir/model.safetensors` (F32) after `edit` changes its tensor list in place (drop one,
 * poison values). Returns the folder.
 */
export async function editSafetensors(dir: string, edit: (tensors: TensorToWrite[]) => void): Promise<string> {
  const path = join(dir, 'model.safetensors');
  const f = await SafetensorsFile.fromBytes(new Uint8Array(readFileSync(path)), path);
  const tensors: TensorToWrite[] = [];
  for (const name of f.names()) {
    const info = f.info(name);
    const data = await f.read(name);
    tensors.push({ name, dtype: info.dtype, shape: info.shape, data });
  }
  edit(tensors);
  writeFileSync(path, writeSafetensors(tensors));
  return dir;
}

/** A gzip of `text` (one member). */
export const gzipText = (text: string): Uint8Array => new Uint8Array(gzipSync(Buffer.from(text, 'utf8')));

/** A small corpus of repeated sentences over a few topics (enough words for `--min-count 1`). */
export function tinyCorpus(lines = 200): string {
  const topics = [
    'the cat and the dog sat on the mat with a horse',
    'the car and the bus drove on the road past a truck',
    'the cow and the sheep ate grass on the farm with a goat',
  ];
  return Array.from({ length: lines }, (_, i) => topics[i % topics.length]).join('\n') + '\n';
}
