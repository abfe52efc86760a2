/**
 * Node-only: loads a checkpoint folder from disk (every regular file in it, by base name) through
 * lazy file sources. Imported by the CLI, tests and benches, never by browser code. Each entry goes
 * through the input layer (input.ts): symlinks resolved once, loops and links leaving the folder
 * refused by name, devices and FIFOs refused by type.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ByteSource } from '../io/bytes';
import { fileSource } from './file';
import { checkFolderEntry } from './input';
import { InputError } from '../util/errors';
import { CheckpointError, loadCheckpoint, type LoadCheckpointOptions, type LoadedCheckpoint } from '../bert/checkpoint';

/** The files of a checkpoint folder, by base name. */
export async function checkpointFiles(dir: string): Promise<Map<string, ByteSource>> {
  let names: string[];
  try {
    if (!(await stat(dir)).isDirectory())
      throw new CheckpointError(`${dir}: not a folder (pass the checkpoint folder holding config.json)`);
    names = await readdir(dir);
  } catch (err) {
    if (err instanceof CheckpointError) throw err;
    throw new CheckpointError(
      `${dir}: cannot read the checkpoint folder (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
  const files = new Map<string, ByteSource>();
  for (const n of names.sort()) {
    const p = join(dir, n);
    let entry;
    try {
      entry = await checkFolderEntry(dir, n, p);
    } catch (err) {
      if (err instanceof InputError) throw new CheckpointError(err.message);
      throw err;
    }
    if (entry) files.set(n, await fileSource(entry.real, p));
  }
  return files;
}

/** Loads and validates the checkpoint in `dir` (its name is the path as given, minus a trailing slash). */
export async function loadCheckpointDir(dir: string, opts: LoadCheckpointOptions = {}): Promise<LoadedCheckpoint> {
  return loadCheckpoint(await checkpointFiles(dir), dir.replace(/(?<=.)[\\/]+$/, ''), opts);
}
