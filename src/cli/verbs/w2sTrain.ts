/**
 * `sensescape w2s train`: a corpus (.txt/.txt.gz, streamed) or a counts file → counts → LDA → Eq. 2 →
 * sense merging → model file, through the one service `trainWord2Sense`; progress on stderr, the
 * iteration log as JSON lines with --log, the result as JSON with --json. Split from w2s.ts (the other
 * w2s verbs) to keep each file one job.
 */
import { initNodeBackend } from '../../engine/node/backend';
import { defaultThreads } from '../../engine/node/bertParallel';
import { LdaWorkerPool } from '../../engine/node/ldaParallel';
import { fileCorpusSource } from '../../engine/node/text';
import { checkOutputPath } from '../../engine/node/input';
import { throttleProgress, type Progress } from '../../engine/util/progress';
import { formatProgress } from '../../viz/progressText';
import { trainWord2Sense } from '../../engine/word2sense/train';
import { writeWord2SenseModel } from '../../engine/word2sense/modelFile';
import { arg, UsageError, type CliIO, type VerbSpec } from '../command';
import { inputBudget, positiveInt } from '../inputFiles';
import { appendLine, mustBeFile, startLog, writeFileAtomic } from '../../engine/node/fs';

function progressPrinter(io: CliIO): (p: Progress) => void {
  return throttleProgress((p) => io.stderr(formatProgress(p)), 1000);
}

export const train: VerbSpec = {
  area: 'w2s',
  verb: 'train',
  summary: 'Train Word2Sense on a corpus (.txt/.txt.gz) or a counts file; write a .safetensors model.',
  flags: {
    corpus: {
      kind: 'strings',
      description: 'corpus files, one sentence or paragraph per line (.txt or .txt.gz)',
      placeholder: 'FILE…',
    },
    counts: {
      kind: 'string',
      description: "co-occurrence counts: 'word<TAB>context<TAB>count' or hyperwords 'count word context' lines",
      placeholder: 'FILE',
    },
    out: { kind: 'string', description: 'model file to write (.safetensors)', required: true, placeholder: 'MODEL' },
    senses: { kind: 'int', description: 'number of senses K (default 300)', placeholder: 'K' },
    alpha: {
      kind: 'number',
      description: 'document–sense Dirichlet prior, total over senses (default 0.1 → 0.1/K each)',
    },
    gamma: { kind: 'number', description: 'sense–word Dirichlet prior (default 0.001)' },
    iters: { kind: 'int', description: 'LDA iterations (default 30)', placeholder: 'N' },
    'max-seconds': {
      kind: 'number',
      description: 'stop LDA after this many seconds with the best model so far',
      placeholder: 'S',
    },
    'inner-iters': {
      kind: 'int',
      description:
        'max E-step rounds per document and iteration (default 100; a document stops earlier once its γ converges)',
      placeholder: 'N',
    },
    seed: { kind: 'int', description: 'seed for subsampling and initialisation (default 1)', placeholder: 'N' },
    init: {
      kind: 'string',
      description:
        'initial senses: random (default; as gensim and sklearn), anchors (the most extreme rows of the normalised counts) or rows',
      placeholder: 'random|anchors|rows',
    },
    update: {
      kind: 'string',
      description:
        "how the senses are re-estimated: online (default; after each group of rows with a decaying step, as gensim), incremental (after each group, from every group's latest statistics) or batch (once per pass)",
      placeholder: 'online|incremental|batch',
    },
    'update-groups': {
      kind: 'int',
      description: 'groups of rows per pass for online/incremental updates (default: one per 2,000 rows)',
      placeholder: 'N',
    },
    engine: {
      kind: 'string',
      description:
        'LDA engine: auto (default: by density and backend), sparse (per row on the CPU, WebAssembly SIMD), csr (row blocks at the non-zeros; tfjs ops here, WGSL on WebGPU) or dense',
      placeholder: 'auto|sparse|csr|dense',
    },
    threads: {
      kind: 'int',
      min: 1,
      max: 64,
      placeholder: 'N',
      description: `threads for the E-steps of the sparse engine (default: the cores, at most 8 — here ${defaultThreads()})`,
    },
    'min-count': { kind: 'int', description: 'minimum word frequency (default 5)', placeholder: 'N' },
    'max-vocab': { kind: 'int', description: 'vocabulary cap, most frequent words (default 50000)', placeholder: 'N' },
    subsample: {
      kind: 'number',
      description: 'word2vec subsampling threshold t (default 1e-5; 0 = off); dropped tokens keep their slot',
      placeholder: 'T',
    },
    window: { kind: 'int', description: 'symmetric window radius (default 5)', placeholder: 'N' },
    merged: { kind: 'int', description: "merged senses K' (default round(0.75 K))", placeholder: "K'" },
    nnz: { kind: 'int', description: "non-zeros kept per embedding µ (default 75, at most K')", placeholder: 'µ' },
    'beta-dtype': {
      kind: 'string',
      description: 'dtype of beta in the file: F32 (default) or F16',
      placeholder: 'F32|F16',
    },
    'theta-dtype': {
      kind: 'string',
      description: 'dtype of theta in the file: F32 (default) or F16',
      placeholder: 'F32|F16',
    },
    log: {
      kind: 'string',
      description: 'write one JSON line per iteration {"iter","seconds","perplexity"}',
      placeholder: 'FILE.jsonl',
    },
    'max-input-bytes': {
      kind: 'number',
      description:
        'most bytes of text each --corpus/--counts file may hold after decompression (default 16 GiB, and gzip may expand at most 100×; giving N lifts the ratio limit)',
      placeholder: 'N',
    },
  },
  async run(args, io) {
    const corpusFiles = arg.strings(args, 'corpus');
    const corpus = corpusFiles.length ? corpusFiles : undefined;
    const countsPath = arg.string(args, 'counts');
    if ((corpus ? 1 : 0) + (countsPath ? 1 : 0) !== 1)
      throw new UsageError("'w2s train' needs exactly one of --corpus FILE… or --counts FILE");
    const out = arg.string(args, 'out')!;
    const K = arg.optionalNumber(args, 'senses') ?? 300;
    if (K < 1) throw new UsageError('--senses must be at least 1');
    const alpha = arg.optionalNumber(args, 'alpha') ?? 0.1;
    const gamma = arg.optionalNumber(args, 'gamma') ?? 0.001;
    if (!(alpha > 0) || !(gamma > 0)) throw new UsageError('--alpha and --gamma must be positive');
    const iters = arg.optionalNumber(args, 'iters') ?? 30;
    if (iters < 1) throw new UsageError('--iters must be at least 1');
    const maxSeconds = arg.optionalNumber(args, 'max-seconds');
    const seed = arg.optionalNumber(args, 'seed') ?? 1;
    const minCount = arg.optionalNumber(args, 'min-count') ?? 5;
    const maxVocab = arg.optionalNumber(args, 'max-vocab') ?? 50000;
    const subsample = arg.optionalNumber(args, 'subsample') ?? 1e-5;
    const window = arg.optionalNumber(args, 'window') ?? 5;
    if (window < 1) throw new UsageError('--window must be at least 1');
    if (subsample < 0) throw new UsageError('--subsample must be ≥ 0');
    const Kmerged = arg.optionalNumber(args, 'merged') ?? Math.round(0.75 * K);
    if (Kmerged < 1 || Kmerged > K) throw new UsageError(`--merged must be between 1 and --senses (${K})`);
    const mu = Math.min(arg.optionalNumber(args, 'nnz') ?? 75, Kmerged);
    if (mu < 1) throw new UsageError('--nnz must be at least 1');
    const betaDtype = (arg.string(args, 'beta-dtype') ?? 'F32').toUpperCase();
    if (betaDtype !== 'F32' && betaDtype !== 'F16')
      throw new UsageError(`--beta-dtype must be F32 or F16, got '${betaDtype}'`);
    const thetaDtype = (arg.string(args, 'theta-dtype') ?? 'F32').toUpperCase();
    if (thetaDtype !== 'F32' && thetaDtype !== 'F16')
      throw new UsageError(`--theta-dtype must be F32 or F16, got '${thetaDtype}'`);
    const innerIters = arg.optionalNumber(args, 'inner-iters'); // undefined: the engine's default
    const init = arg.string(args, 'init') ?? 'random';
    if (init !== 'anchors' && init !== 'random' && init !== 'rows')
      throw new UsageError(`--init must be anchors, random or rows, got '${init}'`);
    const update = arg.string(args, 'update') ?? 'online';
    if (update !== 'online' && update !== 'incremental' && update !== 'batch')
      throw new UsageError(`--update must be online, incremental or batch, got '${update}'`);
    const updateGroups = arg.optionalNumber(args, 'update-groups');
    if (updateGroups !== undefined && updateGroups < 1) throw new UsageError('--update-groups must be at least 1');
    const engine = arg.string(args, 'engine') ?? 'auto';
    if (engine !== 'auto' && engine !== 'sparse' && engine !== 'csr' && engine !== 'dense')
      throw new UsageError(`--engine must be auto, sparse, csr or dense, got '${engine}'`);
    const threads = arg.optionalNumber(args, 'threads') ?? defaultThreads();
    const logPath = arg.string(args, 'log');
    const { limits, sizeCheck } = inputBudget(
      positiveInt('max-input-bytes', arg.optionalNumber(args, 'max-input-bytes')),
    );
    for (const f of corpus ?? []) await mustBeFile(f, 'corpus', sizeCheck);
    if (countsPath) await mustBeFile(countsPath, 'counts file', sizeCheck);
    await checkOutputPath(out, 'model file');
    if (logPath) await checkOutputPath(logPath, 'log file');

    const backend = await initNodeBackend();
    const progress = progressPrinter(io);
    if (logPath) startLog(logPath);
    const pool = new LdaWorkerPool(threads, {
      onStart: (w) => io.stderr(`w2s train: ${w + 1} E-step threads (this thread + ${w} worker${w > 1 ? 's' : ''})`),
    });
    let r: Awaited<ReturnType<typeof trainWord2Sense>>;
    try {
      r = await trainWord2Sense(
        corpus
          ? { corpus: corpus.map((f) => fileCorpusSource(f, limits)) }
          : { counts: fileCorpusSource(countsPath!, limits) },
        {
          senses: K,
          alpha,
          gamma,
          iters,
          maxSeconds,
          innerIters,
          seed,
          init,
          update,
          updateGroups,
          engine,
          minCount,
          maxVocab,
          subsample,
          window,
          merged: Kmerged,
          nnz: mu,
        },
        {
          progress,
          backend: backend.backend,
          pool,
          onCounts: (c) =>
            io.stderr(
              `counts: V=${c.V}, ${c.nnz} non-zeros${corpus ? `, ${c.tokens} tokens` : ''} (${c.seconds.toFixed(1)} s); LDA K=${K} on ${backend.backend}`,
            ),
          onIteration: (it) => {
            io.stderr(`iter ${it.iter}: ${it.seconds.toFixed(1)} s, perplexity ${it.perplexity.toFixed(2)}`);
            if (logPath)
              appendLine(logPath, JSON.stringify({ iter: it.iter, seconds: it.seconds, perplexity: it.perplexity }));
          },
        },
      );
    } finally {
      await pool.close();
    }
    if (r.partial)
      io.stderr(
        'w2s train: the time budget ran out inside the first LDA iteration; the model comes from the partial statistics of the rows done (raise --max-seconds for a complete iteration)',
      );
    const model = r.model;
    model.hyperparameters = {
      ...model.hyperparameters,
      source: corpus ? { corpus } : { counts: countsPath },
      beta_dtype: betaDtype,
      theta_dtype: thetaDtype,
    };
    await writeFileAtomic(
      out,
      writeWord2SenseModel(model, { betaDtype: betaDtype as 'F32' | 'F16', thetaDtype: thetaDtype as 'F32' | 'F16' }),
    );
    const result = {
      out,
      V: model.V,
      K,
      Kmerged,
      nnz: mu,
      counts_nnz: r.counts.nnz,
      tokens: r.counts.tokens,
      iterations: r.iterations,
      best_iter: r.bestIter,
      perplexity: r.perplexity,
      stopped_by: r.stoppedBy,
      partial: r.partial,
      seconds: r.seconds,
      backend: backend.backend,
    };
    if (args.json) io.stdout(JSON.stringify(result, null, 2));
    else
      io.stdout(
        `wrote ${out}: V=${result.V}, K=${K} → K'=${Kmerged}, µ=${mu}; perplexity ${r.perplexity.toFixed(2)} (iteration ${r.bestIter} of ${r.iterations}, stopped by ${r.stoppedBy}); ${result.seconds.toFixed(1)} s`,
      );
  },
};
