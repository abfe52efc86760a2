/**
 * Corpus → vocabulary → window co-occurrence counts, streamed (two passes over the sources: one to
 * count words, one to count pairs). Follows the authors' (hyperwords-style) recipe: words with
 * count ≥ minCount, the maxVocab most frequent; word2vec subsampling with drop probability
 * 1 − √(t/f(w)) drawn from a seeded generator, where a dropped or out-of-vocabulary token keeps its
 * slot so windows do not stretch; a fixed symmetric window; windows never cross a line (one line =
 * one sentence or paragraph). Pairs are counted in both directions, so C is symmetric.
 * Reading is bounded (see {@link corpusLineOptions} and util/budget.ts).
 */
import { Checkpointer, CancelToken } from '../util/cancel';
import type { ProgressSink } from '../util/progress';
import { mulberry32 } from '../util/random';
import { InputError } from '../util/errors';
import { cleanTokens } from './clean';
import type { CsrCounts } from './csr';
import { textLines, type TextLineOptions } from './lines';
import type { TextLimits } from '../util/budget';
import { PairTable } from './pairTable';

/** A re-openable byte stream (the corpus is read twice). `name` is used in messages. */
export interface CorpusSource {
  name: string;
  open(): AsyncIterable<Uint8Array>;
  /** The input budget (bytes after decompression, gzip ratio); defaults in util/budget.ts. */
  limits?: TextLimits;
}

/**
 * How corpus text is read: invalid UTF-8 becomes U+FFFD (real corpora carry a few bad bytes; the
 * token is then just a rare word), and a line over `MAX_LINE_CHARS` (util/budget.ts) characters (text8 is one
 * 100 MB line) is split at a space — a window never crosses the split, as it never crosses a line.
 */
export function corpusLineOptions(src: CorpusSource): TextLineOptions {
  return { name: src.name, ...src.limits, fatal: false, longLines: 'split' };
}

export interface CorpusOptions {
  /** Minimum corpus frequency for a word to enter the vocabulary (default 5). */
  minCount?: number;
  /** Keep at most this many most frequent words (default 50000). */
  maxVocab?: number;
  /** Subsampling threshold t (default 1e-5; 0 disables). */
  subsample?: number;
  /** Symmetric window radius in tokens (default 5). */
  window?: number;
  /** Seed of the subsampling generator (default 1). */
  seed?: number;
}

export interface CorpusCounts {
  vocab: string[];
  /** Corpus frequency of each vocabulary word (before subsampling). */
  wordCounts: number[];
  counts: CsrCounts;
  /** Tokens read (after cleaning), over all sources. */
  tokens: number;
}

/** Pass 1: frequency of every cleaned token over all sources. */
export async function countWords(
  sources: readonly CorpusSource[],
  progress?: ProgressSink,
  cancel = CancelToken.none(),
): Promise<{ freq: Map<string, number>; tokens: number }> {
  const cp = new Checkpointer(cancel);
  const freq = new Map<string, number>();
  let tokens = 0;
  let lines = 0;
  for (const src of sources) {
    for await (const batch of textLines(src.open(), corpusLineOptions(src))) {
      for (const line of batch) {
        for (const t of cleanTokens(line)) {
          freq.set(t, (freq.get(t) ?? 0) + 1);
          tokens++;
        }
      }
      lines += batch.length;
      progress?.({ stage: 'count words', done: lines, total: 0, detail: { tokens, source: src.name } });
      await cp.check();
    }
  }
  return { freq, tokens };
}

/** Vocabulary: count ≥ minCount, most frequent first (ties by word), at most maxVocab. */
export function buildVocab(
  freq: Map<string, number>,
  minCount = 5,
  maxVocab = 50000,
): { vocab: string[]; wordCounts: number[] } {
  const kept = [...freq].filter(([, c]) => c >= minCount);
  kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const top = kept.slice(0, maxVocab);
  return { vocab: top.map((e) => e[0]), wordCounts: top.map((e) => e[1]) };
}

/** Per-word keep probability for subsampling threshold t: min(1, √(t/f)), f = count/total. */
export function keepProbabilities(wordCounts: readonly number[], totalTokens: number, t: number): Float64Array {
  const keep = new Float64Array(wordCounts.length);
  for (let i = 0; i < wordCounts.length; i++) {
    keep[i] = t > 0 ? Math.min(1, Math.sqrt((t * totalTokens) / wordCounts[i])) : 1;
  }
  return keep;
}

/**
 * Token ids of one line for the window pass: vocabulary index, or −1 for a slot that is out of
 * vocabulary or dropped by subsampling (the slot is kept).
 */
export function lineSlots(
  tokens: readonly string[],
  index: Map<string, number>,
  keep: Float64Array,
  rand: () => number,
): Int32Array {
  const ids = new Int32Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    const id = index.get(tokens[i]);
    if (id === undefined) ids[i] = -1;
    else if (keep[id] < 1 && rand() >= keep[id]) ids[i] = -1;
    else ids[i] = id;
  }
  return ids;
}

/** Adds the symmetric window pairs of one line's slots to the table. */
export function addWindowPairs(ids: Int32Array, window: number, table: PairTable): void {
  const n = ids.length;
  for (let i = 0; i < n; i++) {
    const a = ids[i];
    if (a < 0) continue;
    const end = Math.min(n, i + window + 1);
    for (let j = i + 1; j < end; j++) {
      const b = ids[j];
      if (b < 0) continue;
      table.add(a, b);
      table.add(b, a);
    }
  }
}

/** The whole pipeline: vocabulary, subsampling, windows, CSR counts. */
export async function corpusToCounts(
  sources: readonly CorpusSource[],
  opts: CorpusOptions = {},
  progress?: ProgressSink,
  cancel = CancelToken.none(),
): Promise<CorpusCounts> {
  const minCount = opts.minCount ?? 5;
  const maxVocab = opts.maxVocab ?? 50000;
  const t = opts.subsample ?? 1e-5;
  const window = opts.window ?? 5;
  if (!(window >= 1) || !Number.isInteger(window))
    throw new InputError(`window must be a positive integer, got ${window}`);
  const { freq, tokens } = await countWords(sources, progress, cancel);
  const { vocab, wordCounts } = buildVocab(freq, minCount, maxVocab);
  freq.clear();
  if (vocab.length === 0)
    throw new InputError(
      `${sources.map((s) => s.name).join(', ')}: no word occurs at least ${minCount} times (${tokens} tokens read)`,
    );
  const index = new Map(vocab.map((w, i) => [w, i]));
  const keep = keepProbabilities(wordCounts, tokens, t);
  const rand = mulberry32(opts.seed ?? 1);
  const table = new PairTable(vocab.length, vocab.length, 1 << 20);
  const cp = new Checkpointer(cancel);
  let seen = 0;
  for (const src of sources) {
    for await (const batch of textLines(src.open(), corpusLineOptions(src))) {
      for (const line of batch) {
        const toks = cleanTokens(line);
        seen += toks.length;
        addWindowPairs(lineSlots(toks, index, keep, rand), window, table);
      }
      progress?.({ stage: 'count pairs', done: seen, total: tokens, detail: { pairs: table.size, source: src.name } });
      await cp.check();
    }
  }
  return { vocab, wordCounts, counts: table.toCsr(), tokens };
}
