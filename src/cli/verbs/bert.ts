/**
 * `sensescape bert …` verbs. Each verb parses its flags, validates input files before compute, calls
 * engine/, prints JSON with --json and progress on stderr.
 *
 *   bert inspect  --model DIR                    config, parameter count, tensors (shapes, dtypes), SHA-256s
 *   bert tokenize --model DIR|--vocab FILE --text A [--pair B] [--max-length L]
 *   bert loss     --model DIR --data TSV [--max-examples N | --sample N --seed S] [--max-length L] [--batch B] [--threads N]
 *   bert grad     --model DIR --data TSV [data flags] [--out grads.safetensors]   (bertGrad.ts)
 *   bert finetune --model DIR --train TSV [--dev TSV] --out DIR [hyperparameters]   (bertFinetune.ts)
 *
 * `bert loss --threads N` evaluates batches on N worker threads, each with its own tfjs WASM backend
 * (tfjs-wasm has no threads under Node); 1 runs in process. Default: the machine's cores (at most 8)
 * when the job is big enough to pay for starting workers (`autoThreads`), else 1. Results equal the
 * one-thread ones (same kernels per batch, loss summed in batch order).
 */
import { arg, UsageError, type CliIO, type VerbSpec } from '../command';
import { positiveInt } from '../inputFiles';
import { baseName, readInputText as readText } from '../../engine/node/fs';
import { initNodeBackend } from '../../engine/node/backend';
import { loadCheckpointDir } from '../../engine/node/checkpoint';
import { isRegression, type LoadedCheckpoint } from '../../engine/bert/checkpoint';
import { BertClassifier } from '../../engine/bert/model';
import type { EvaluateResult } from '../../engine/bert/loss';
import { autoThreads, BertWorkerPool, defaultThreads } from '../../engine/node/bertParallel';
import { encodeBatches, loadExamples } from '../../engine/bert/data';
import { BertTokenizer } from '../../engine/text/bertTokenizer';
import { InputError } from '../../engine/util/errors';
import { throttleProgress } from '../../engine/util/progress';
import { finetune } from './bertFinetune';
import { grad } from './bertGrad';

async function tokenizerFor(
  ckpt: LoadedCheckpoint | null,
  vocabPath: string | undefined,
  cased: boolean,
): Promise<BertTokenizer> {
  let vocab = ckpt?.vocab;
  if (vocabPath) {
    vocab = (await readText(vocabPath, 'vocabulary')).split(/\r?\n/);
    if (vocab[vocab.length - 1] === '') vocab.pop();
  }
  if (!vocab)
    throw new InputError(`${ckpt?.name ?? 'checkpoint'}: no vocab.txt in the checkpoint folder; pass --vocab FILE`);
  if (ckpt && vocab.length > ckpt.config.vocabSize)
    throw new InputError(
      `${vocabPath ?? 'vocab.txt'}: ${vocab.length} tokens, but the checkpoint has vocab_size ${ckpt.config.vocabSize}`,
    );
  try {
    return new BertTokenizer(vocab, { doLowerCase: cased ? false : (ckpt?.doLowerCase ?? true) });
  } catch (err) {
    throw new InputError(`${vocabPath ?? 'vocab.txt'}: ${(err as Error).message}`);
  }
}

const inspect: VerbSpec = {
  area: 'bert',
  verb: 'inspect',
  summary:
    'Validate a checkpoint folder (fine-tuned or pre-trained) and show its config, parameter count, tensors and SHA-256s',
  flags: {
    model: {
      kind: 'string',
      required: true,
      placeholder: 'DIR',
      description: 'checkpoint folder (config.json + model.safetensors / shards / pytorch_model.bin)',
    },
  },
  async run(args, io: CliIO) {
    const ckpt = await loadCheckpointDir(arg.requiredString(args, 'model'), { allowMissingHead: true });
    const hasHead = ckpt.tensors.has('classifier.weight');
    const tensors = [...ckpt.tensors].map(([name, t]) => ({
      name,
      shape: t.shape,
      dtype: ckpt.tensorDtypes.get(name) ?? ckpt.dtype,
    }));
    const parameters = tensors.reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);
    const { raw: _raw, ...config } = ckpt.config;
    const result = {
      name: ckpt.name,
      config,
      parameters,
      dtype: ckpt.dtype,
      classifierHead: hasHead,
      sha256: ckpt.sha256,
      weightFiles: ckpt.weightFiles,
      vocab: ckpt.vocab ? { tokens: ckpt.vocab.length, doLowerCase: ckpt.doLowerCase ?? true } : null,
      tensors,
    };
    if (args.json) {
      io.stdout(JSON.stringify(result, null, 2));
      return;
    }
    const c = ckpt.config;
    io.stdout(
      `${ckpt.name}: BERT ${c.numHiddenLayers} layers × ${c.hiddenSize} wide, ${c.numAttentionHeads} heads, FFN ${c.intermediateSize}, ${c.hiddenAct}, eps ${c.layerNormEps}`,
    );
    io.stdout(
      `  ${isRegression(c) ? 'regression (1 output, MSE)' : `${c.numLabels} labels${c.id2label ? ` (${Object.values(c.id2label).join(', ')})` : ''}`}; vocab ${c.vocabSize}, positions ${c.maxPositionEmbeddings}`,
    );
    io.stdout(`  ${parameters.toLocaleString('en-US')} parameters, stored as ${ckpt.dtype}; sha256 ${ckpt.sha256}`);
    if (!hasHead) io.stdout('  no classifier head (pre-trained checkpoint): bert loss needs a fine-tuned one');
    for (const f of ckpt.weightFiles) io.stdout(`  ${f.name}  ${f.bytes} bytes  sha256 ${f.sha256}`);
    for (const t of tensors) io.stdout(`  ${t.name.padEnd(52)} [${t.shape.join(', ')}] ${t.dtype}`);
  },
};

const tokenize: VerbSpec = {
  area: 'bert',
  verb: 'tokenize',
  summary: 'WordPiece-tokenize a sentence (or pair) as Hugging Face BertTokenizer does',
  flags: {
    model: {
      kind: 'string',
      placeholder: 'DIR',
      description: 'checkpoint folder with vocab.txt (and tokenizer_config.json)',
    },
    vocab: { kind: 'string', placeholder: 'FILE', description: "vocab.txt to use instead of the checkpoint's" },
    text: { kind: 'string', required: true, placeholder: 'TEXT', description: 'first sentence' },
    pair: { kind: 'string', placeholder: 'TEXT', description: 'second sentence' },
    'max-length': { kind: 'int', placeholder: 'L', description: 'truncate (longest_first) to L tokens (default 128)' },
    cased: { kind: 'boolean', description: 'do not lowercase / strip accents (overrides tokenizer_config.json)' },
  },
  async run(args, io) {
    const model = arg.string(args, 'model');
    const vocab = arg.string(args, 'vocab');
    if (!model && !vocab) throw new UsageError("'bert tokenize' needs --model DIR or --vocab FILE");
    const ckpt = model ? await loadCheckpointDir(model) : null;
    const tok = await tokenizerFor(ckpt, vocab, arg.boolean(args, 'cased'));
    const text = arg.requiredString(args, 'text');
    const pair = arg.string(args, 'pair');
    const maxLength = positiveInt('max-length', arg.optionalNumber(args, 'max-length'), 3) ?? 128;
    const enc = tok.encode(text, pair, maxLength);
    const vocabList = [...tok.vocab.keys()];
    const byId = new Map<number, string>();
    vocabList.forEach((t) => byId.set(tok.vocab.get(t)!, t));
    const tokens = enc.inputIds.map((i) => byId.get(i) ?? '[UNK]');
    if (args.json) io.stdout(JSON.stringify({ tokens, inputIds: enc.inputIds, tokenTypeIds: enc.tokenTypeIds }));
    else {
      io.stdout(tokens.join(' '));
      io.stdout(enc.inputIds.join(' '));
      io.stdout(enc.tokenTypeIds.join(' '));
    }
  },
};

const loss: VerbSpec = {
  area: 'bert',
  verb: 'loss',
  summary: 'Mean loss (cross-entropy, or MSE for regression) and accuracy of a checkpoint on a GLUE/TSV file',
  flags: {
    model: { kind: 'string', required: true, placeholder: 'DIR', description: 'fine-tuned checkpoint folder' },
    data: {
      kind: 'string',
      required: true,
      placeholder: 'TSV',
      description: 'GLUE TSV (SST-2, CoLA, MRPC, RTE, QNLI, MNLI, QQP, STS-B) or sentence[1/2]+label TSV',
    },
    'max-examples': { kind: 'int', placeholder: 'N', description: 'use the first N examples' },
    sample: { kind: 'int', placeholder: 'N', description: 'use N examples drawn with --seed (file order kept)' },
    seed: { kind: 'int', placeholder: 'S', description: 'seed for --sample (default 0)' },
    'max-length': {
      kind: 'int',
      placeholder: 'L',
      description: 'truncate to L tokens (default 128, or max_position_embeddings if smaller)',
    },
    batch: { kind: 'int', placeholder: 'B', description: 'examples per batch (default 32)' },
    vocab: { kind: 'string', placeholder: 'FILE', description: 'vocab.txt when the checkpoint folder has none' },
    threads: {
      kind: 'int',
      placeholder: 'N',
      description: `worker threads, one tfjs backend each; 1 = in process (default: the cores, at most 8 — here ${defaultThreads()} — for jobs over ~2e10 FLOPs, else 1)`,
    },
  },
  async run(args, io) {
    const threadsFlag = positiveInt('threads', arg.optionalNumber(args, 'threads'));
    if (threadsFlag !== undefined && threadsFlag > 64)
      throw new UsageError(`--threads must be at most 64, got ${threadsFlag}`);
    const maxExamples = positiveInt('max-examples', arg.optionalNumber(args, 'max-examples'));
    const sample = positiveInt('sample', arg.optionalNumber(args, 'sample'));
    const maxLengthFlag = positiveInt('max-length', arg.optionalNumber(args, 'max-length'), 3);
    const batchSize = positiveInt('batch', arg.optionalNumber(args, 'batch')) ?? 32;
    const seedFlag = arg.optionalNumber(args, 'seed');
    if (seedFlag !== undefined && sample === undefined) throw new UsageError('--seed only applies with --sample N');
    if (maxExamples !== undefined && sample !== undefined)
      throw new UsageError('use either --max-examples N (first N) or --sample N --seed S, not both');
    const ckpt = await loadCheckpointDir(arg.requiredString(args, 'model'));
    const maxLength = maxLengthFlag ?? Math.min(128, ckpt.config.maxPositionEmbeddings);
    if (maxLength > ckpt.config.maxPositionEmbeddings)
      throw new UsageError(
        `--max-length ${maxLength} exceeds the checkpoint's max_position_embeddings ${ckpt.config.maxPositionEmbeddings}`,
      );
    const tok = await tokenizerFor(ckpt, arg.string(args, 'vocab'), false);
    const dataPath = arg.requiredString(args, 'data');
    const examples = loadExamples(await readText(dataPath, 'data'), baseName(dataPath), {
      maxExamples,
      sample,
      seed: seedFlag ?? 0,
      label2id: isRegression(ckpt.config) ? undefined : ckpt.config.label2id,
      numLabels: isRegression(ckpt.config) ? undefined : ckpt.config.numLabels,
    });
    const batches = encodeBatches(examples, tok, { maxLength, batchSize });
    const threads =
      threadsFlag !== undefined
        ? Math.min(threadsFlag, Math.max(1, batches.length))
        : autoThreads(ckpt.config, batches);
    const progress = throttleProgress((p) => io.stderr(`bert loss: ${p.done}/${p.total} examples`), 1000);
    const t0 = performance.now();
    let result: EvaluateResult;
    let backendName: string;
    let workersReadyMs: number | null = null;
    if (threads > 1) {
      io.stderr(
        `bert loss: ${threads} threads (this one + ${threads - 1} worker${threads > 2 ? 's' : ''} joining when started)`,
      );
      const pool = await BertWorkerPool.start(ckpt, { threads });
      backendName = pool.backend;
      try {
        result = await pool.evaluate(batches, { onProgress: progress });
        workersReadyMs = pool.startupMs;
      } finally {
        await pool.close();
      }
    } else {
      backendName = (await initNodeBackend()).backend;
      const model = BertClassifier.fromCheckpoint(ckpt);
      try {
        result = await model.evaluate(batches, { onProgress: progress });
      } finally {
        model.dispose();
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const accuracy = Number.isNaN(result.accuracy) ? null : result.accuracy;
    if (args.json) io.stdout(JSON.stringify({ loss: result.loss, accuracy, examples: result.examples }));
    else {
      io.stdout(
        `loss ${result.loss.toPrecision(7)}  accuracy ${accuracy === null ? 'n/a (regression)' : accuracy.toFixed(4)}  examples ${result.examples}`,
      );
      const startup =
        threads === 1
          ? ''
          : workersReadyMs === null
            ? ' (workers still starting at the end)'
            : ` (workers ready after ${(workersReadyMs / 1000).toFixed(2)} s)`;
      io.stdout(
        `  ${ckpt.name} (sha256 ${ckpt.sha256.slice(0, 16)}…) on ${baseName(dataPath)}; ${backendName} × ${threads} thread${threads > 1 ? 's' : ''}, ${seconds.toFixed(2)} s${startup}, ${(result.examples / seconds).toFixed(1)} examples/s`,
      );
    }
  },
};

export const bertVerbs: VerbSpec[] = [inspect, tokenize, loss, grad, finetune];
