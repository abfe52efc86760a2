/**
 * The whole Word2Sense training pipeline, one call for every front end (the CLI's `w2s train` and the
 * app's training worker): corpus → vocabulary, slot-keeping subsampling and window counts (or a
 * counts file) → LDA (sparse WebAssembly SIMD or dense tfjs) → sense merging and the Eq. 2 embedding → model. Progress reports name
 * the stage (reading, counting, training, merging, embedding); cancel works at every stage.
 */
import { corpusToCounts, type CorpusCounts, type CorpusSource } from '../text/corpus';
import { readCountsFile } from '../text/countsFile';
import { nnz } from '../text/csr';
import { CancelToken, now } from '../util/cancel';
import { InputError } from '../util/errors';
import type { ProgressSink } from '../util/progress';
import { buildModelAsync } from './build';
import { fitLda, type LdaIteration } from './lda';
import type { LdaInit } from './ldaInit';
import type { SparseEStepPool } from './ldaTypes';

/** Rows per online/incremental update group when the user gives no number (gensim's default chunksize). */
export const ROWS_PER_GROUP = 2000;
import type { Word2SenseModel } from './model';

/** Every setting of a training run, with the paper's defaults. */
export interface TrainOptions {
  /** Number of senses K (default 300). */
  senses?: number;
  /** Document–sense prior as a total (default 0.1 → α/K per sense). */
  alpha?: number;
  /** Sense–word prior γ (default 0.001). */
  gamma?: number;
  /** LDA iterations (default 30). */
  iters?: number;
  maxSeconds?: number;
  /** Max E-step rounds per document and iteration (default 100; documents stop earlier once converged). */
  innerIters?: number;
  /** Seed for subsampling and initialisation (default 1). */
  seed?: number;
  /**
   * Initial senses: 'random' (default; Gamma(100, 1/100) as gensim and sklearn), 'anchors' (SPA anchor
   * documents) or 'rows' (see LdaOptions.init). With online updates the random start gave the better
   * word similarity on the bundled corpora (docs/word2sense.md, Measured).
   */
  init?: LdaInit;
  /**
   * How λ is re-estimated: 'online' (default; Hoffman et al. 2010, as gensim's LdaModel: after each
   * group of rows, with a decaying step), 'incremental' (Neal & Hinton) or 'batch' (once per pass).
   */
  update?: 'batch' | 'online' | 'incremental';
  /** Groups of rows per pass for online/incremental updates (default: one per 2,000 rows, gensim's chunksize). */
  updateGroups?: number;
  /**
   * LDA engine (LdaOptions.engine): 'auto' (default: by density and backend), 'sparse' (per document on
   * the CPU, WebAssembly SIMD), 'csr' (row blocks at the non-zeros: WGSL kernels on WebGPU) or 'dense'.
   */
  engine?: 'auto' | 'sparse' | 'csr' | 'dense';
  minCount?: number;
  maxVocab?: number;
  subsample?: number;
  window?: number;
  /** K' (default round(0.75 K)). */
  merged?: number;
  /** µ, non-zeros kept per word (default 75, at most K'). */
  nnz?: number;
}

export type TrainInput = { corpus: readonly CorpusSource[] } | { counts: CorpusSource };

export interface TrainHooks {
  progress?: ProgressSink;
  onIteration?: (rec: LdaIteration) => void;
  /** Called once the counts are known (vocabulary size, non-zeros, tokens). */
  onCounts?: (summary: { V: number; nnz: number; tokens: number; seconds: number }) => void;
  cancel?: CancelToken;
  /** Recorded in the hyperparameters (the backend the LDA ran on). */
  backend?: string;
  /** Threads for the sparse engine's E-steps beside the caller's (Node: LdaWorkerPool); the caller closes it. */
  pool?: SparseEStepPool;
}

export interface TrainResult {
  model: Word2SenseModel;
  counts: { V: number; nnz: number; tokens: number };
  iterations: number;
  bestIter: number;
  perplexity: number;
  stoppedBy: 'iters' | 'time';
  /** True when the budget ran out inside the first iteration: the model is from partial statistics. */
  partial: boolean;
  history: LdaIteration[];
  seconds: number;
  /** The LDA engine that ran (LdaResult.engine, e.g. 'sparse (simd)', 'csr (wgsl)'). */
  engine: string;
}

/** Resolves defaults and checks ranges; throws InputError naming the setting. */
export function resolveTrainOptions(
  o: TrainOptions,
): Required<Omit<TrainOptions, 'maxSeconds'>> & { maxSeconds: number | undefined } {
  const senses = o.senses ?? 300;
  const merged = o.merged ?? Math.round(0.75 * senses);
  const r = {
    senses,
    alpha: o.alpha ?? 0.1,
    gamma: o.gamma ?? 0.001,
    iters: o.iters ?? 30,
    maxSeconds: o.maxSeconds,
    innerIters: o.innerIters ?? 100,
    seed: o.seed ?? 1,
    init: o.init ?? 'random',
    update: o.update ?? 'online',
    updateGroups: o.updateGroups ?? 0, // 0: one group per ROWS_PER_GROUP rows, fixed once the counts are known
    engine: o.engine ?? 'auto',
    minCount: o.minCount ?? 5,
    maxVocab: o.maxVocab ?? 50000,
    subsample: o.subsample ?? 1e-5,
    window: o.window ?? 5,
    merged,
    nnz: Math.min(o.nnz ?? 75, merged),
  };
  const intAtLeast = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) throw new InputError(`${name} must be an integer ≥ ${min}, got ${v}`);
  };
  intAtLeast('senses', r.senses, 1);
  intAtLeast('iters', r.iters, 1);
  intAtLeast('window', r.window, 1);
  intAtLeast('min count', r.minCount, 1);
  intAtLeast('max vocab', r.maxVocab, 1);
  intAtLeast('nnz', r.nnz, 1);
  intAtLeast('update groups', r.updateGroups, 0);
  if (!['batch', 'online', 'incremental'].includes(r.update))
    throw new InputError(`update must be batch, online or incremental, got '${r.update}'`);
  if (!['auto', 'sparse', 'csr', 'dense'].includes(r.engine))
    throw new InputError(`engine must be auto, sparse, csr or dense, got '${r.engine}'`);
  if (!['anchors', 'random', 'rows'].includes(r.init))
    throw new InputError(`init must be anchors, random or rows, got '${r.init}'`);
  if (!Number.isInteger(r.merged) || r.merged < 1 || r.merged > r.senses)
    throw new InputError(`merged senses must be between 1 and the number of senses (${r.senses}), got ${r.merged}`);
  if (!(r.alpha > 0) || !(r.gamma > 0)) throw new InputError('alpha and gamma must be positive');
  if (!(r.subsample >= 0)) throw new InputError(`subsample must be ≥ 0, got ${r.subsample}`);
  if (r.maxSeconds !== undefined && !(r.maxSeconds > 0))
    throw new InputError(`max seconds must be positive, got ${r.maxSeconds}`);
  return r;
}

/** Runs the pipeline. The returned model's hyperparameters record every setting used. */
export async function trainWord2Sense(
  input: TrainInput,
  options: TrainOptions,
  hooks: TrainHooks = {},
): Promise<TrainResult> {
  const o = resolveTrainOptions(options);
  const cancel = hooks.cancel ?? CancelToken.none();
  const t0 = now();
  const data: CorpusCounts =
    'corpus' in input
      ? await corpusToCounts(
          input.corpus,
          { minCount: o.minCount, maxVocab: o.maxVocab, subsample: o.subsample, window: o.window, seed: o.seed },
          hooks.progress,
          cancel,
        )
      : await readCountsFile(input.counts.name, input.counts.open(), hooks.progress, cancel, input.counts.limits);
  const counts = { V: data.vocab.length, nnz: nnz(data.counts), tokens: data.tokens };
  hooks.onCounts?.({ ...counts, seconds: (now() - t0) / 1000 });
  if (o.senses > data.vocab.length)
    throw new InputError(
      `senses (${o.senses}) exceeds the vocabulary size (${data.vocab.length}); lower --senses or --min-count`,
    );
  const groups = o.update === 'batch' ? 1 : o.updateGroups || Math.max(1, Math.ceil(data.counts.rows / ROWS_PER_GROUP));
  const lda = await fitLda(data.counts, {
    K: o.senses,
    alpha: o.alpha,
    gamma: o.gamma,
    iters: o.iters,
    maxSeconds: o.maxSeconds,
    seed: o.seed,
    innerIters: o.innerIters,
    init: o.init,
    updateBlocks: groups,
    update: o.update === 'online' ? 'online' : 'incremental',
    engine: o.engine,
    pool: hooks.pool,
    progress: hooks.progress,
    cancel,
    onIteration: hooks.onIteration,
  });
  cancel.throwIfCancelled();
  hooks.progress?.({ stage: 'merging', done: 0, total: 1 });
  const hyperparameters = {
    source: 'corpus' in input ? { corpus: input.corpus.map((s) => s.name) } : { counts: input.counts.name },
    senses: o.senses,
    alpha: o.alpha,
    gamma: o.gamma,
    iters: o.iters,
    max_seconds: o.maxSeconds ?? null,
    inner_iters: o.innerIters,
    seed: o.seed,
    init: o.init,
    update: o.update,
    update_groups: groups,
    e_step_threads: lda.engine?.startsWith('sparse') ? (hooks.pool?.workers ?? 0) + 1 : null,
    engine: lda.engine ?? null,
    min_count: 'corpus' in input ? o.minCount : null,
    max_vocab: 'corpus' in input ? o.maxVocab : null,
    subsample: 'corpus' in input ? o.subsample : null,
    window: 'corpus' in input ? o.window : null,
    merged: o.merged,
    nnz: o.nnz,
    backend: hooks.backend ?? null,
    algorithm: `${groups > 1 || o.update === 'online' ? o.update : 'batch'} variational Bayes (${
      lda.engine?.startsWith('sparse')
        ? `sparse E-step at the non-zeros, ${lda.engine}`
        : lda.engine?.startsWith('csr')
          ? `row blocks at the non-zeros, ${lda.engine}`
          : 'dense row blocks, tfjs'
    })`,
    iterations_run: lda.history.length,
    best_iter: lda.bestIter,
    perplexity: lda.perplexity,
    stopped_by: lda.stoppedBy,
    ...(lda.partial ? { partial_statistics: true } : {}),
  };
  const model = await buildModelAsync({
    vocab: data.vocab,
    wordCounts: data.wordCounts,
    counts: data.counts,
    beta: lda.beta,
    theta: lda.theta,
    K: o.senses,
    Kmerged: o.merged,
    nnz: o.nnz,
    hyperparameters,
    cancel,
  });
  hooks.progress?.({ stage: 'embedding', done: 1, total: 1 });
  return {
    model,
    counts,
    iterations: lda.history.length,
    bestIter: lda.bestIter,
    perplexity: lda.perplexity,
    engine: lda.engine ?? 'unknown',
    stoppedBy: lda.stoppedBy,
    partial: lda.partial ?? false,
    history: lda.history,
    seconds: (now() - t0) / 1000,
  };
}
