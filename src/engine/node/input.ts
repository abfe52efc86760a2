/**
 * The one input layer of the CLI: every file the product reads is opened through here, and every
 * file it writes is checked here before any compute starts. A user file must be a regular file
 * (directories, FIFOs, devices and sockets are refused by type, in words), symlinks are resolved
 * once (a loop is refused by name), and its size is checked against a budget before it is read.
 * Output paths must name a file in an existing, writable directory — an unwritable path fails in
 * the first second, not after an hour of compute. Rules and figures: docs/input.md.
 */
import { constants } from 'node:fs';
import { access, lstat, realpath, stat } from 'node:fs/promises';
import { dirname, relative, resolve, sep, isAbsolute } from 'node:path';
import type { Stats } from 'node:fs';
import { InputError } from '../util/errors';
import { bytesFigure } from '../util/budget';

/** Default cap on a file read whole into memory (JSON, TSV, pairs, model files): 2 GiB. */
export const MAX_WHOLE_FILE_BYTES = 2 * 2 ** 30;

/** Words for a non-regular file type, or null for a regular file. */
function typeWords(s: Stats): string | null {
  if (s.isFile()) return null;
  if (s.isDirectory()) return 'is a directory, not a file';
  if (s.isFIFO()) return 'is a named pipe (FIFO), not a regular file';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'is a device, not a regular file';
  if (s.isSocket()) return 'is a socket, not a regular file';
  return 'is not a regular file';
}

/** Words for an OS error code when opening an input. */
function errnoWords(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file (ENOENT)';
    case 'ELOOP':
      return 'symlink loop (ELOOP: too many levels of symbolic links)';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`;
    case 'ENOTDIR':
      return 'a component of the path is not a directory (ENOTDIR)';
    case 'ENAMETOOLONG':
      return 'path too long (ENAMETOOLONG)';
    default:
      return code ?? String(err);
  }
}

/** A checked input: the path as given, where it really lives, and its size in bytes. */
export interface InputFile {
  path: string;
  real: string;
  size: number;
}

export interface InputCheck {
  /** Refuse files larger than this many bytes (default {@link MAX_WHOLE_FILE_BYTES}). */
  maxBytes?: number;
  /** How the limit is changed, named in the message (e.g. "--max-input-bytes"). */
  limitFlag?: string;
}

/**
 * Checks `path` as an input file before reading it: resolves symlinks once, refuses loops,
 * non-regular files (by type) and files over the budget. `what` names its role ("corpus").
 * @throws InputError naming the path, the role and the reason.
 */
export async function checkInputFile(path: string, what: string, opts: InputCheck = {}): Promise<InputFile> {
  let s: Stats;
  let real: string;
  try {
    s = await stat(path);
    real = await realpath(path);
  } catch (err) {
    throw new InputError(`${path}: cannot read the ${what}: ${errnoWords(err)}`);
  }
  const words = typeWords(s);
  if (words) throw new InputError(`${path}: cannot read the ${what}: it ${words}`);
  const max = opts.maxBytes ?? MAX_WHOLE_FILE_BYTES;
  if (s.size > max)
    throw new InputError(
      `${path}: the ${what} is ${bytesFigure(s.size)}, over the limit of ${bytesFigure(max)}${opts.limitFlag ? ` (raise it with ${opts.limitFlag})` : ''}`,
    );
  return { path, real, size: s.size };
}

/**
 * Checks a file inside a checkpoint folder: a symlink must resolve (a loop is refused by name) and
 * stay inside the folder, except the Hugging Face hub cache layout (`snapshots/<rev>/x → ../../blobs/…`),
 * whose links may point into the repository's `blobs/` folder. Returns null for non-regular entries
 * (sub-folders are skipped, as before), the checked file otherwise.
 */
export async function checkFolderEntry(dir: string, name: string, path: string): Promise<InputFile | null> {
  let l: Stats;
  try {
    l = await lstat(path);
  } catch (err) {
    throw new InputError(`${path}: cannot read the checkpoint file: ${errnoWords(err)}`);
  }
  if (!l.isSymbolicLink()) return l.isFile() ? { path, real: path, size: l.size } : null;
  let real: string;
  let s: Stats;
  try {
    real = await realpath(path);
    s = await stat(real);
  } catch (err) {
    throw new InputError(`${path}: cannot read the checkpoint file ${name}: ${errnoWords(err)}`);
  }
  if (s.isDirectory()) return null;
  const words = typeWords(s);
  if (words) throw new InputError(`${path}: the checkpoint file ${name} (a symlink to ${real}) ${words}`);
  const realDir = await realpath(dir);
  if (!inside(realDir, real) && !hubBlob(realDir, real))
    throw new InputError(
      `${path}: the checkpoint file ${name} is a symlink to ${real}, outside the checkpoint folder (copy the file in, or link the folder itself)`,
    );
  return { path, real, size: s.size };
}

function inside(dir: string, p: string): boolean {
  const r = relative(dir, p);
  return r !== '' && !r.startsWith('..') && !isAbsolute(r);
}

/** `…/models--org--name/snapshots/<rev>` linking into `…/models--org--name/blobs/`. */
function hubBlob(realDir: string, real: string): boolean {
  const parent = dirname(realDir);
  if (!parent.endsWith(`${sep}snapshots`)) return false;
  return inside(resolve(dirname(parent), 'blobs'), real);
}

/**
 * Checks that `path` can be written before any compute starts: its directory exists and is a
 * writable directory, and `path` itself is not a directory or other non-file.
 * @throws InputError naming the path and the reason.
 */
export async function checkOutputPath(path: string, what: string): Promise<void> {
  const dir = dirname(resolve(path));
  let ds: Stats;
  try {
    ds = await stat(dir);
  } catch (err) {
    throw new InputError(`${path}: cannot write the ${what}: its folder ${dir} ${folderWords(err)}`);
  }
  if (!ds.isDirectory()) throw new InputError(`${path}: cannot write the ${what}: ${dir} is not a folder`);
  try {
    await access(dir, constants.W_OK);
  } catch {
    throw new InputError(`${path}: cannot write the ${what}: the folder ${dir} is not writable`);
  }
  try {
    const s = await stat(path);
    const words = typeWords(s);
    if (words) throw new InputError(`${path}: cannot write the ${what}: it ${words}`);
    await access(path, constants.W_OK).catch(() => {
      throw new InputError(`${path}: cannot write the ${what}: the file exists and is not writable`);
    });
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new InputError(`${path}: cannot write the ${what}: ${errnoWords(err)}`);
    // ENOENT: a new file, fine.
  }
}

/**
 * Checks an output folder before any compute starts (a verb that writes several files, e.g. `bert
 * finetune --out`): an existing `path` must be a writable folder, checked through {@link checkOutputPath}
 * on the file `probe` inside it; a new one must be creatable, checked through {@link checkOutputPath} on
 * `path` itself (its parent an existing, writable folder).
 * @throws InputError naming the path and the reason.
 */
export async function checkOutputDir(path: string, what: string, probe: string): Promise<void> {
  let s: Stats | null = null;
  try {
    s = await stat(path);
  } catch {
    // Absent (or unreadable): checkOutputPath names what is wrong with its parent.
  }
  if (s === null) return checkOutputPath(path, what);
  if (!s.isDirectory()) throw new InputError(`${path}: cannot write the ${what}: it exists and is not a folder`);
  return checkOutputPath(resolve(path, probe), what);
}

function folderWords(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'does not exist' : `cannot be read (${errnoWords(err)})`;
}
