/**
 * `sensescape w2s …` verbs (train in w2sTrain.ts). Each verb parses its flags, validates input files before compute, calls
 * engine/, prints JSON with --json and progress on stderr.
 *   train       corpus (.txt/.txt.gz, streamed) or counts file → LDA on tfjs → Eq. 2 → model file
 *   similarity  Spearman on word-similarity sets;  entail  AP / best F1 with KL both ways
 *   senses      a merged sense's top words, or a word's active senses;  neighbours  by JS
 *   export      the sparse embeddings as text: `word z:weight z:weight …`
 */
import { evaluateEntailment } from '../../engine/eval/entailment';
import { evaluateSimilarity, neighbours, parsePairs } from '../../engine/eval/similarity';
import { checkOutputPath } from '../../engine/node/input';
import { InputError } from '../../engine/util/errors';
import { SenseExplorer } from '../../engine/word2sense/explore';
import { wordIndex, type Word2SenseModel } from '../../engine/word2sense/model';
import { readWord2SenseModel } from '../../engine/word2sense/modelFile';
import { normaliseLine } from '../../engine/text/clean';
import { arg, UsageError, type VerbSpec } from '../command';
import { train } from './w2sTrain';
import { headerNote } from '../inputFiles';
import { readInputBytes as readBytes, readInputUtf8, writeFileAtomic } from '../../engine/node/fs';

/** Loads and validates a model file. */
export async function loadModel(path: string): Promise<Word2SenseModel> {
  return readWord2SenseModel(await readBytes(path, 'model'), path);
}

const fmt = (x: number | null, digits = 3) => (x === null ? 'n/a' : x.toFixed(digits));

const similarity: VerbSpec = {
  area: 'w2s',
  verb: 'similarity',
  summary: 'Spearman correlation (JS divergence, average ranks) on word-similarity sets.',
  flags: {
    model: { kind: 'string', description: 'model file', required: true, placeholder: 'MODEL' },
    pairs: {
      kind: 'strings',
      description: "similarity sets: 'word1 word2 score' lines",
      required: true,
      placeholder: 'FILE…',
    },
  },
  async run(args, io) {
    const files = arg.strings(args, 'pairs');
    const sets = [];
    for (const f of files)
      sets.push({ f, pairs: parsePairs(await readInputUtf8(f, 'pairs file'), f, headerNote(io, f)) });
    const model = await loadModel(arg.string(args, 'model')!);
    const results = sets.map(({ f, pairs }) => evaluateSimilarity(model, pairs, f));
    if (args.json) io.stdout(JSON.stringify(results, null, 2));
    else
      for (const r of results)
        io.stdout(
          `${r.file}: ${r.covered}/${r.pairs} pairs covered, Spearman ${fmt(r.spearman)} (covered only ${fmt(r.spearman_covered)})`,
        );
  },
};

const entail: VerbSpec = {
  area: 'w2s',
  verb: 'entail',
  summary: 'Lexical entailment by ε-smoothed KL divergence, both directions: average precision and best F1.',
  flags: {
    model: { kind: 'string', description: 'model file', required: true, placeholder: 'MODEL' },
    pairs: {
      kind: 'string',
      description: "labelled pairs 'word1 word2 label' (label 1 = word1 entails word2)",
      required: true,
      placeholder: 'FILE',
    },
    epsilon: {
      kind: 'number',
      description: 'smoothing ε added to every merged sense before renormalising (default 1e-4)',
      placeholder: 'ε',
    },
  },
  async run(args, io) {
    const f = arg.string(args, 'pairs')!;
    const pairs = parsePairs(await readInputUtf8(f, 'pairs file'), f, headerNote(io, f));
    const eps = arg.optionalNumber(args, 'epsilon') ?? 1e-4;
    if (!(eps > 0)) throw new UsageError('--epsilon must be positive');
    const model = await loadModel(arg.string(args, 'model')!);
    const results = evaluateEntailment(model, pairs, eps);
    if (args.json) io.stdout(JSON.stringify(results, null, 2));
    else
      for (const r of results)
        io.stdout(`${r.direction}: ${r.covered}/${r.pairs} covered, AP ${fmt(r.ap)}, best F1 ${fmt(r.f1)}`);
  },
};

const senses: VerbSpec = {
  area: 'w2s',
  verb: 'senses',
  summary: "A merged sense's top words (--sense Z), or a word's active senses with weights and top words (--word W).",
  flags: {
    model: { kind: 'string', description: 'model file', required: true, placeholder: 'MODEL' },
    sense: { kind: 'int', description: "merged sense id 0..K'-1", placeholder: 'Z' },
    word: { kind: 'string', description: 'a word', placeholder: 'W' },
    top: { kind: 'int', description: 'top words per sense (default 10)', placeholder: 'N' },
  },
  async run(args, io) {
    const z = arg.optionalNumber(args, 'sense');
    const word = arg.string(args, 'word');
    if ((z === undefined) === (word === undefined))
      throw new UsageError("'w2s senses' needs exactly one of --sense Z or --word W");
    const top = arg.optionalNumber(args, 'top') ?? 10;
    if (top < 1) throw new UsageError('--top must be at least 1');
    const model = await loadModel(arg.string(args, 'model')!);
    if (z !== undefined) {
      if (z < 0 || z >= model.Kmerged) throw new UsageError(`--sense must be between 0 and ${model.Kmerged - 1}`);
      const raw = Array.from(model.merge).flatMap((d, k) => (d === z ? [k] : []));
      const result = {
        sense: z,
        raw_senses: raw,
        p_sense: raw.reduce((s, k) => s + model.pSense[k], 0),
        top: new SenseExplorer(model).topWords(z, top, 1).map((t) => ({ word: t.word, p: t.p })),
      };
      if (args.json) io.stdout(JSON.stringify(result, null, 2));
      else
        io.stdout(
          `sense ${z} (raw ${raw.join(',')}; p=${result.p_sense.toFixed(4)}): ${result.top.map((t) => t.word).join(' ')}`,
        );
      return;
    }
    const w = normaliseLine(word!);
    const i = wordIndex(model).get(w);
    if (i === undefined) throw new InputError(`'${w}' is not in the model's vocabulary`);
    const list = [];
    for (let j = model.embedding.indptr[i]; j < model.embedding.indptr[i + 1]; j++)
      list.push({ sense: model.embedding.indices[j], weight: model.embedding.values[j] });
    list.sort((a, b) => b.weight - a.weight || a.sense - b.sense);
    const explorer = new SenseExplorer(model);
    const result = {
      word: w,
      senses: list.map((s) => ({ ...s, top: explorer.topWords(s.sense, top, 1).map((t) => t.word) })),
    };
    if (args.json) io.stdout(JSON.stringify(result, null, 2));
    else for (const s of result.senses) io.stdout(`${s.weight.toFixed(4)}  sense ${s.sense}: ${s.top.join(' ')}`);
  },
};

const neighboursVerb: VerbSpec = {
  area: 'w2s',
  verb: 'neighbours',
  summary: 'Nearest words by JS divergence (computed in blocks; no V×V matrix).',
  flags: {
    model: { kind: 'string', description: 'model file', required: true, placeholder: 'MODEL' },
    word: { kind: 'string', description: 'a word', required: true, placeholder: 'W' },
    top: { kind: 'int', description: 'how many (default 10)', placeholder: 'N' },
  },
  async run(args, io) {
    const top = arg.optionalNumber(args, 'top') ?? 10;
    if (top < 1) throw new UsageError('--top must be at least 1');
    const model = await loadModel(arg.string(args, 'model')!);
    const result = await neighbours(model, normaliseLine(arg.string(args, 'word')!), top);
    if (args.json) io.stdout(JSON.stringify(result, null, 2));
    else for (const n of result) io.stdout(`${n.js.toFixed(4)}  ${n.word}`);
  },
};

const exportVerb: VerbSpec = {
  area: 'w2s',
  verb: 'export',
  summary: "Write the sparse embeddings as text, one line per word: 'word z:weight z:weight …'.",
  flags: {
    model: { kind: 'string', description: 'model file', required: true, placeholder: 'MODEL' },
    text: { kind: 'string', description: 'output text file', required: true, placeholder: 'OUT' },
  },
  async run(args, io) {
    const model = await loadModel(arg.string(args, 'model')!);
    const out = arg.string(args, 'text')!;
    await checkOutputPath(out, 'text file');
    const lines: string[] = [];
    const { indptr, indices, values } = model.embedding;
    for (let w = 0; w < model.V; w++) {
      const parts = [model.vocab[w]];
      for (let j = indptr[w]; j < indptr[w + 1]; j++) parts.push(`${indices[j]}:${+values[j].toPrecision(6)}`);
      lines.push(parts.join(' '));
    }
    await writeFileAtomic(out, lines.join('\n') + '\n');
    const result = { out, words: model.V, senses: model.Kmerged };
    if (args.json) io.stdout(JSON.stringify(result, null, 2));
    else io.stdout(`wrote ${out}: ${model.V} words over ${model.Kmerged} senses`);
  },
};

export const w2sVerbs: VerbSpec[] = [train, similarity, entail, senses, neighboursVerb, exportVerb];
