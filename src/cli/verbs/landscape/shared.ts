/**
 * What the `landscape` verbs share: the data flags of `bert loss` and the origin/head flags, loading
 * checkpoint folders and the examples (a TSV or a GLUE task folder with --split) from paths, the α
 * list, progress lines on stderr, and Ctrl-C/SIGTERM → cancel (so long runs stop between points and
 * save). Everything else a verb does is one call to an engine service (engine/landscape/services/).
 */
import type { LoadedCheckpoint } from '../../../engine/bert/checkpoint';
import { axisValues, parseAxis, parseNumberList } from '../../../engine/landscape/grid';
import { loadOriginCheckpoint } from '../../../engine/landscape/originCheckpoint';
import { prepareData, type PreparedData } from '../../../engine/landscape/session';
import { checkpointFiles, loadCheckpointDir } from '../../../engine/node/checkpoint';
import { baseName, joinPath, pathKind, readInputBytes } from '../../../engine/node/fs';
import { checkInputFile } from '../../../engine/node/input';
import type { CancelToken } from '../../../engine/util/cancel';
import { throttleProgress, type ProgressSink } from '../../../engine/util/progress';
import { formatProgress } from '../../../viz/progressText';
import { UsageError, type CliIO } from '../../command';

export const DATA_FLAGS = {
  data: {
    kind: 'string',
    required: true,
    placeholder: 'TSV|DIR',
    description: 'GLUE/generic TSV, or a GLUE task folder (then --split picks train.tsv/dev.tsv)',
  },
  split: {
    kind: 'string',
    placeholder: 'train|dev',
    description: 'which split the examples are (default: from the file name, else dev)',
  },
  'max-examples': {
    kind: 'int',
    min: 1,
    placeholder: 'N',
    description: 'use the first N examples',
    conflicts: ['sample'],
  },
  sample: { kind: 'int', min: 1, placeholder: 'N', description: 'use N examples drawn with --seed (file order kept)' },
  seed: { kind: 'int', placeholder: 'S', description: 'seed for --sample (default 0)' },
  'max-length': {
    kind: 'int',
    min: 3,
    placeholder: 'L',
    description: 'truncate to L tokens (default 128, or max_position_embeddings if smaller)',
  },
  batch: { kind: 'int', min: 1, default: 32, placeholder: 'B', description: 'examples per batch (default 32)' },
} as const;

export const ORIGIN_FLAGS = {
  origin: {
    kind: 'string',
    required: true,
    placeholder: 'DIR',
    description: 'θ0: pretrained (or randomly initialised) checkpoint; its tensors are the moving parameters',
  },
  head: {
    kind: 'string',
    placeholder: 'DIR',
    description: 'checkpoint the fixed parameters (task head) come from (default: --toward / --x)',
  },
} as const;

export const ALPHA_FLAGS = {
  alphas: { kind: 'string', placeholder: 'A,B,…', description: 'α values', conflicts: ['range'] },
  range: { kind: 'string', placeholder: 'MIN:MAX:N', description: 'N evenly spaced α values' },
} as const;

/** The data flags' values, as the verbs hold them. */
export interface DataFlags {
  data: string;
  split?: string;
  'max-examples'?: number;
  sample?: number;
  seed?: number;
  'max-length'?: number;
  batch: number;
}

/** The display name recorded in specs: the folder's base name, so files from different machines merge. */
const dirName = (dir: string): string => baseName(dir);

/** A checkpoint folder; errors are prefixed with its role. */
export async function loadDir(dir: string, role: string): Promise<LoadedCheckpoint> {
  try {
    const ckpt = await loadCheckpointDir(dir);
    ckpt.name = dirName(dir);
    return ckpt;
  } catch (err) {
    if (err instanceof Error) err.message = `${role}: ${err.message}`;
    throw err;
  }
}

/** The origin folder (a pretrained checkpoint may lack the task head). */
export async function loadOrigin(dir: string): Promise<LoadedCheckpoint> {
  try {
    return await loadOriginCheckpoint(await checkpointFiles(dir), dirName(dir));
  } catch (err) {
    if (err instanceof Error) err.message = `origin: ${err.message}`;
    throw err;
  }
}

/**
 * Resolves --data (file or GLUE folder) and the split, reads and tokenizes the examples with the
 * head's vocabulary. `sampleSeed` is the seed of --sample.
 */
export async function loadData(
  flags: DataFlags,
  head: LoadedCheckpoint,
  split = flags.split,
  sampleSeed = flags.seed,
): Promise<PreparedData> {
  let path = flags.data;
  if (split !== undefined && !/^[A-Za-z0-9_.-]+$/.test(split))
    throw new UsageError(`--split '${split}' must be a simple name such as train or dev`);
  const kind = await pathKind(path);
  // names the reason (no such file, a symlink loop, no permission) in the input layer's words
  if (kind === 'missing') await checkInputFile(path, 'data file or folder');
  if (kind === 'dir') {
    split ??= 'dev';
    path = joinPath(path, `${split}.tsv`);
  } else if (split === undefined) {
    const b = baseName(path).toLowerCase();
    split = /train/.test(b) ? 'train' : /test/.test(b) ? 'test' : 'dev';
  }
  const bytes = await readInputBytes(path, 'data');
  return prepareData(bytes, baseName(path), head, {
    maxExamples: flags['max-examples'],
    sample: flags.sample,
    seed: sampleSeed ?? 0,
    maxLength: flags['max-length'],
    batchSize: flags.batch,
    split,
  });
}

/** The α values from --alphas A,B,… or --range MIN:MAX:N. */
export function alphasOf(flags: { alphas?: string; range?: string }): number[] {
  if (flags.alphas) return parseNumberList(flags.alphas, '--alphas');
  if (flags.range) return axisValues(parseAxis(flags.range, '--range'));
  throw new UsageError('give the points as --alphas A,B,… or --range MIN:MAX:N');
}

/** Progress lines on stderr, at most one a second. */
export function progressLine(io: CliIO, label: string): ProgressSink {
  return throttleProgress((p) => io.stderr(formatProgress(p, label)), 1000);
}

/** Cancels `token` on Ctrl-C / SIGTERM (once; twice exits at once); returns the function that stops listening. */
export function cancelOnSignal(token: CancelToken, io: CliIO): () => void {
  const onSignal = (sig: string) => {
    if (token.cancelled) process.exit(130);
    io.stderr(`sensescape: ${sig}: stopping after the current point (press again to abort without saving)`);
    token.cancel(sig);
  };
  const int = () => onSignal('SIGINT');
  const term = () => onSignal('SIGTERM');
  process.on('SIGINT', int);
  process.on('SIGTERM', term);
  return () => {
    process.off('SIGINT', int);
    process.off('SIGTERM', term);
  };
}
