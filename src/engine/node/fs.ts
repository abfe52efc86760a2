/**
 * The file system as the CLI uses it: reading the user's input files (an unreadable file is an
 * InputError naming the path, what it was for and the OS reason), writing outputs atomically, and
 * the few path operations the verbs need. Node-only, like everything in engine/node/: the lint rule
 * forbids `node:` imports anywhere else in src/, so the browser bundle can never reach `fs`.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { InputError } from '../util/errors';
import { checkInputFile, type InputCheck } from './input';

function unreadable(path: string, what: string, err: unknown): InputError {
  return new InputError(`${path}: cannot read the ${what} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
}

/**
 * The bytes of an input file; `what` names its role in the error message ("corpus", "data"). The
 * file is checked first (regular file, size within `opts.maxBytes`; see input.ts).
 */
export async function readInputBytes(path: string, what: string, opts: InputCheck = {}): Promise<Uint8Array> {
  await checkInputFile(path, what, opts);
  try {
    return new Uint8Array(await readFile(path));
  } catch (err) {
    throw unreadable(path, what, err);
  }
}

/** The UTF-8 text of an input file (checked like {@link readInputBytes}). */
export async function readInputText(path: string, what: string, opts: InputCheck = {}): Promise<string> {
  await checkInputFile(path, what, opts);
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw unreadable(path, what, err);
  }
}

/** The text of an input file that must be UTF-8: other bytes are refused, not read as U+FFFD. */
export async function readInputUtf8(path: string, what: string, opts: InputCheck = {}): Promise<string> {
  const bytes = await readInputBytes(path, what, opts);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputError(`${path}: the ${what} is not UTF-8 text`);
  }
}

/** Throws an InputError unless `path` is a readable regular file within `opts.maxBytes`. */
export async function mustBeFile(path: string, what: string, opts: InputCheck = {}): Promise<void> {
  await checkInputFile(path, what, { maxBytes: Infinity, ...opts });
}

/** What is at `path`: a regular file, a directory, something else, or nothing. */
export async function pathKind(path: string): Promise<'file' | 'dir' | 'other' | 'missing'> {
  try {
    const s = await stat(path);
    return s.isFile() ? 'file' : s.isDirectory() ? 'dir' : 'other';
  } catch {
    return 'missing';
  }
}

/** The entries of a directory, sorted by name. */
export async function listDir(dir: string): Promise<{ name: string; path: string; isDir: boolean; isFile: boolean }[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .map((e) => ({ name: e.name, path: join(dir, e.name), isDir: e.isDirectory(), isFile: e.isFile() }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Writes via a temporary file and rename, so a reader (or a crash) never sees half a file. The
 * verbs check their output paths before compute (input.ts `checkOutputPath`); a failure here (disk
 * full, the folder removed meanwhile) is still an InputError naming the path and the OS reason.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw new InputError(`${path}: cannot write (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/** Truncates (or creates) a log file. Synchronous: logs are written between steps of a job. */
export function startLog(path: string): void {
  writeFileSync(path, '');
}

/** Appends one line to a log file. */
export function appendLine(path: string, line: string): void {
  appendFileSync(path, line + '\n');
}

/** The last component of a path, ignoring trailing separators (`a/b/` → `b`). */
export function baseName(path: string): string {
  return basename(path.replace(/[\\/]+$/, '')) || path;
}

/** Joins path components with the platform's separator. */
export function joinPath(...parts: string[]): string {
  return join(...parts);
}

/** Creates a directory (and its parents) for outputs; one that cannot be made is an InputError naming it. */
export async function makeOutputDir(path: string, what: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
  } catch (err) {
    throw new InputError(`${path}: cannot create the ${what} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}
