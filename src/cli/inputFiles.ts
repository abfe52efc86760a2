/**
 * Reading the user's input files and checking numeric flags, the same way for every verb: a file
 * that cannot be read is an InputError naming the path, what it was for and the OS reason (exit 2).
 */
import { readFile } from 'node:fs/promises';
import { InputError } from '../engine/util/errors';
import { UsageError } from './command';

function unreadable(path: string, what: string, err: unknown): InputError {
  return new InputError(`${path}: cannot read the ${what} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
}

/** The bytes of an input file. */
export async function readBytes(path: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (err) {
    throw unreadable(path, what, err);
  }
}

/** The UTF-8 text of an input file. */
export async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw unreadable(path, what, err);
  }
}

/** `v` unchanged when it is undefined or an integer ≥ `min`; otherwise a UsageError naming the flag. */
export function positiveInt(name: string, v: number | undefined, min = 1): number | undefined {
  if (v !== undefined && (!Number.isInteger(v) || v < min))
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got ${v}`);
  return v;
}
