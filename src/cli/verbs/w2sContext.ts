/**
 * `sensescape w2s context|wsi|wsi-score|scws`: Word2Sense in context (WordCtx2Sense), word sense
 * induction and contextual similarity. Kept apart from w2s.ts (training and context-free queries).
 */
import { evaluateScws, parseScws } from '../../engine/eval/scws';
import { instancesFromXml, type WsiInstance } from '../../engine/eval/wsi/readers';
import { scoreWsi, type WsiTask } from '../../engine/eval/wsi/score';
import { InputError } from '../../engine/util/errors';
import { throttleProgress, type Progress } from '../../engine/util/progress';
import {
  contextTokens,
  mergedPrior,
  projectToMerged,
  rawSenseTopWords,
  wordCtx2Sense,
  type ContextOptions,
} from '../../engine/word2sense/context';
import { embeddingRow, wordIndex, type Word2SenseModel } from '../../engine/word2sense/model';
import { formatWsiKey, induceSenses, wsiSummary } from '../../engine/word2sense/wsi';
import { arg, UsageError, type CliIO, type ParsedArgs, type VerbSpec } from '../command';
import { listDir, pathKind, readInputText as readText, writeFileAtomic } from '../../engine/node/fs';
import { checkOutputPath } from '../../engine/node/input';
import { loadModel } from './w2s';

function progressPrinter(io: CliIO): (p: Progress) => void {
  return throttleProgress(
    (p) => io.stderr(`${p.stage}: ${p.done}/${p.total}${p.detail?.term ? ` ${p.detail.term}` : ''}`),
    1000,
  );
}

const contextFlags = {
  lambda: {
    kind: 'number',
    description: 'KL regulariser λ toward the context-free senses (default 0.01)',
    placeholder: 'L',
  },
  'top-senses': {
    kind: 'int',
    description: 'senses kept in the context-free start ψ⁰ (default 100)',
    placeholder: 'N',
  },
} as const;

function contextOptions(a: ParsedArgs): ContextOptions {
  const lambda = arg.number(a, 'lambda', 1e-2);
  if (!(lambda >= 0)) throw new UsageError(`--lambda must be ≥ 0, got ${lambda}`);
  const topSenses = arg.number(a, 'top-senses', 100);
  if (!(topSenses >= 1)) throw new UsageError(`--top-senses must be ≥ 1, got ${topSenses}`);
  return { lambda, topSenses };
}

function task(a: ParsedArgs): WsiTask {
  const t = arg.requiredString(a, 'task');
  if (t !== 'semeval2010' && t !== 'semeval2013')
    throw new UsageError(`--task must be semeval2010 or semeval2013, got '${t}'`);
  return t;
}

/** Top words of merged sense d: Σ_{z∈d} p_Z(z) β[z,·] / p_D(d). */
function mergedTopWords(model: Word2SenseModel, d: number, n: number): string[] {
  const dist = new Float64Array(model.V);
  for (let z = 0; z < model.K; z++) {
    if (model.merge[z] !== d) continue;
    const p = model.pSense[z];
    for (let w = 0; w < model.V; w++) dist[w] += p * model.beta[z * model.V + w];
  }
  const top: number[] = [];
  for (let w = 0; w < model.V; w++) {
    if (top.length < n || dist[w] > dist[top[top.length - 1]]) {
      top.push(w);
      top.sort((a, b) => dist[b] - dist[a] || a - b);
      if (top.length > n) top.pop();
    }
  }
  return top.map((w) => model.vocab[w]);
}

const round = (x: number) => +x.toPrecision(6);

const context: VerbSpec = {
  area: 'w2s',
  verb: 'context',
  summary: 'Senses of a word in a context (WordCtx2Sense), beside its context-free senses.',
  flags: {
    model: { kind: 'string', description: 'Word2Sense model (.safetensors)', required: true, placeholder: 'FILE' },
    word: {
      kind: 'string',
      description: 'the target word (cleaned like the corpus: lowercase, no accents)',
      required: true,
      placeholder: 'W',
    },
    context: {
      kind: 'string',
      description: 'the sentence or passage the word occurs in (the word is added if absent)',
      required: true,
      placeholder: '"…"',
    },
    top: { kind: 'int', description: 'senses to list (default 10)', placeholder: 'N' },
    words: { kind: 'int', description: 'top words shown per sense (default 8)', placeholder: 'N' },
    ...contextFlags,
  },
  async run(args, io) {
    const model = await loadModel(arg.requiredString(args, 'model'));
    const index = wordIndex(model);
    const word = contextTokens(arg.requiredString(args, 'word')).join(' ');
    if (!word) throw new UsageError('--word is empty after cleaning');
    const tokens = contextTokens(arg.requiredString(args, 'context'));
    if (!tokens.includes(word)) tokens.push(word);
    const top = arg.number(args, 'top', 10);
    const nWords = arg.number(args, 'words', 8);
    const opts = contextOptions(args);
    const r = wordCtx2Sense(model, index, word, tokens, opts);
    const raw = Array.from(r.support)
      .map((z) => ({ z, w: r.psi[z], w0: r.psi0[z] }))
      .sort((a, b) => b.w - a.w || b.w0 - a.w0 || a.z - b.z)
      .slice(0, top)
      .map(({ z, w, w0 }) => ({
        sense: z,
        merged_sense: model.merge[z],
        weight: round(w),
        context_free: round(w0),
        top_words: rawSenseTopWords(model, z, nWords).map((t) => t.word),
      }));
    const pD = mergedPrior(model);
    const inCtx = projectToMerged(model, r.psi, pD);
    const free = new Float64Array(model.Kmerged);
    const wi = index.get(word);
    if (wi !== undefined) {
      const row = embeddingRow(model, wi);
      row.indices.forEach((d, i) => (free[d] = row.values[i]));
    } else free.set(projectToMerged(model, r.psi0, pD));
    const merged = Array.from({ length: model.Kmerged }, (_, d) => d)
      .filter((d) => inCtx[d] > 0 || free[d] > 0)
      .sort((a, b) => inCtx[b] - inCtx[a] || free[b] - free[a] || a - b)
      .slice(0, top)
      .map((d) => ({
        sense: d,
        weight: round(inCtx[d]),
        context_free: round(free[d]),
        top_words: mergedTopWords(model, d, nWords),
      }));
    const result = {
      word,
      in_vocabulary: !r.oov,
      context_words: r.contextWords,
      lambda: opts.lambda,
      converged: r.converged,
      runs: r.runs,
      lipschitz: r.lipschitz,
      senses: raw,
      merged_senses: merged,
    };
    if (args.json) {
      io.stdout(JSON.stringify(result, null, 2));
      return;
    }
    io.stdout(
      `${word}${r.oov ? ' (not in the vocabulary: uniform start)' : ''}: ${r.contextWords} context words, ${r.converged ? `converged (L=${r.lipschitz})` : 'did not converge: context-free weights shown'}`,
    );
    io.stdout('raw sense   in context   context-free   top words');
    for (const s of raw)
      io.stdout(
        `${String(s.sense).padStart(9)}   ${s.weight.toFixed(4).padStart(10)}   ${s.context_free.toFixed(4).padStart(12)}   ${s.top_words.join(' ')}`,
      );
    io.stdout('merged      in context   context-free   top words');
    for (const s of merged)
      io.stdout(
        `${String(s.sense).padStart(9)}   ${s.weight.toFixed(4).padStart(10)}   ${s.context_free.toFixed(4).padStart(12)}   ${s.top_words.join(' ')}`,
      );
  },
};

async function xmlFiles(dir: string): Promise<string[]> {
  const kind = await pathKind(dir);
  if (kind === 'missing') throw new InputError(`${dir}: no such directory`);
  if (kind === 'file') return [dir];
  const out: string[] = [];
  for (const e of await listDir(dir)) {
    if (e.isDir) out.push(...(await xmlFiles(e.path)));
    else if (e.name.endsWith('.xml')) out.push(e.path);
  }
  return out.sort();
}

/** Instances of a SemEval test set directory (2010: `test_data/`; 2013: `contexts/xml-format/`). */
async function readInstances(t: WsiTask, dir: string): Promise<WsiInstance[]> {
  const files = [];
  for (const f of await xmlFiles(dir)) files.push({ name: f, text: await readText(f, 'test file') });
  try {
    return instancesFromXml(t, files, dir);
  } catch (err) {
    // decodeXml's message names the reference, not the file
    if (err instanceof InputError && !err.message.startsWith(dir)) err.message = `${dir}: ${err.message}`;
    throw err;
  }
}

const wsi: VerbSpec = {
  area: 'w2s',
  verb: 'wsi',
  summary: 'Word sense induction on SemEval-2010/2013: label instances with WordCtx2Sense, cluster, write a key.',
  flags: {
    model: { kind: 'string', description: 'Word2Sense model (.safetensors)', required: true, placeholder: 'FILE' },
    task: { kind: 'string', description: 'semeval2010 or semeval2013', required: true, placeholder: 'TASK' },
    data: {
      kind: 'string',
      description: 'test XML directory (2010: SemEval-2010/test_data; 2013: contexts/xml-format)',
      required: true,
      placeholder: 'DIR',
    },
    clusters: {
      kind: 'int',
      description: 'clusters per target word (the paper: 2, 5, 6)',
      required: true,
      placeholder: 'K',
    },
    out: { kind: 'string', description: 'key file to write', required: true, placeholder: 'KEYFILE' },
    gold: { kind: 'string', description: 'also score the key against this gold key', placeholder: 'KEY' },
    scope: {
      kind: 'string',
      description: 'context: instance (all its text, default) or sentence (2010 target sentence)',
      placeholder: 'S',
    },
    ...contextFlags,
  },
  async run(args, io) {
    const t = task(args);
    const clusters = arg.number(args, 'clusters', 0);
    if (clusters < 1) throw new UsageError(`--clusters must be ≥ 1, got ${clusters}`);
    const scope = arg.string(args, 'scope') ?? 'instance';
    if (scope !== 'instance' && scope !== 'sentence')
      throw new UsageError(`--scope must be instance or sentence, got '${scope}'`);
    await checkOutputPath(arg.requiredString(args, 'out'), 'key file');
    const model = await loadModel(arg.requiredString(args, 'model'));
    const instances = await readInstances(t, arg.requiredString(args, 'data'));
    const started = Date.now();
    const a = await induceSenses(
      model,
      instances,
      { ...contextOptions(args), clusters, scope },
      { progress: progressPrinter(io) },
    );
    const out = arg.requiredString(args, 'out');
    await writeFileAtomic(out, formatWsiKey(a));
    const goldPath = arg.string(args, 'gold');
    const scores = goldPath
      ? scoreWsi(t, await readText(goldPath, 'gold key'), await readText(out, 'key'), { gold: goldPath, system: out })
      : undefined;
    const result = {
      task: t,
      out,
      ...wsiSummary(a, clusters),
      seconds: +((Date.now() - started) / 1000).toFixed(1),
      ...(scores ? { scores: summary(scores) } : {}),
    };
    const oovTerms = result.oov_targets;
    if (args.json) io.stdout(JSON.stringify(result, null, 2));
    else {
      io.stdout(
        `wrote ${out}: ${result.instances} instances of ${result.targets} targets, ${result.labels_per_target} distinct labels per target, K=${clusters}`,
      );
      if (result.not_converged)
        io.stdout(`${result.not_converged} instances kept their context-free senses (no usable context or divergence)`);
      if (oovTerms.length) io.stdout(`not in the vocabulary (uniform start): ${oovTerms.join(' ')}`);
      if (scores) printScores(io, scores);
    }
  },
};

type Scores = ReturnType<typeof scoreWsi>;

function summary(s: Scores): Record<string, unknown> {
  if (s.task === 'semeval2010')
    return { f_score: s.f_score, v_measure: s.v_measure, clusters_per_word: s.clusters_per_word, by_pos: s.by_pos };
  const { terms_scores: _t, ...rest } = s;
  return rest;
}

function printScores(io: CliIO, s: Scores): void {
  const p = (x: number) => (Number.isNaN(x) ? 'NaN' : (100 * x).toFixed(2));
  if (s.task === 'semeval2010') {
    io.stdout('part        F-score   V-measure   clusters/word');
    io.stdout(
      `all         ${p(s.f_score).padStart(7)}   ${p(s.v_measure).padStart(9)}   ${s.clusters_per_word.toFixed(2)}`,
    );
    for (const [pos, n] of Object.entries(s.by_pos))
      io.stdout(
        `${pos.padEnd(12)}${p(n.f_score).padStart(7)}   ${p(n.v_measure).padStart(9)}   ${n.clusters_per_word.toFixed(2)}`,
      );
  } else {
    io.stdout('part        fuzzy B-cubed (P / R / F)      fuzzy NMI   terms');
    const row = (
      name: string,
      n: {
        fuzzy_bcubed: number;
        fuzzy_bcubed_precision: number;
        fuzzy_bcubed_recall: number;
        fuzzy_nmi: number;
        terms: number;
      },
    ) =>
      io.stdout(
        `${name.padEnd(12)}${p(n.fuzzy_bcubed_precision)} / ${p(n.fuzzy_bcubed_recall)} / ${p(n.fuzzy_bcubed)}   ${p(n.fuzzy_nmi).padStart(9)}   ${n.terms}`,
      );
    row('all', s);
    for (const [pos, n] of Object.entries(s.by_pos)) row(pos, n);
  }
  io.stdout('(percent)');
}

const wsiScore: VerbSpec = {
  area: 'w2s',
  verb: 'wsi-score',
  summary:
    'Score a WSI key as the official SemEval scorers do (2010: F-score, V-measure; 2013: fuzzy B-cubed, fuzzy NMI).',
  flags: {
    task: { kind: 'string', description: 'semeval2010 or semeval2013', required: true, placeholder: 'TASK' },
    gold: { kind: 'string', description: 'gold key', required: true, placeholder: 'KEY' },
    key: { kind: 'string', description: 'system key', required: true, placeholder: 'KEY' },
    'per-word': { kind: 'boolean', description: 'also list every target word’s scores' },
  },
  async run(args, io) {
    const t = task(args);
    const goldPath = arg.requiredString(args, 'gold');
    const keyPath = arg.requiredString(args, 'key');
    const s = scoreWsi(t, await readText(goldPath, 'gold key'), await readText(keyPath, 'key'), {
      gold: goldPath,
      system: keyPath,
    });
    const perWord = arg.boolean(args, 'per-word');
    if (args.json) {
      const out: Record<string, unknown> = { task: t, gold: goldPath, key: keyPath, ...summary(s) };
      if (perWord) out.words = s.task === 'semeval2010' ? s.words : s.terms_scores;
      io.stdout(JSON.stringify(out, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2));
      return;
    }
    printScores(io, s);
    if (perWord) {
      if (s.task === 'semeval2010')
        for (const w of s.words)
          io.stdout(
            `${w.word.padEnd(18)} F ${(100 * w.fScore).toFixed(2)}  V ${(100 * w.vMeasure).toFixed(2)}  clusters ${w.clusters}  senses ${w.classes}  n ${w.instances}`,
          );
      else
        for (const w of s.terms_scores)
          io.stdout(
            `${w.term.padEnd(18)} B3 ${(100 * w.fuzzy_bcubed).toFixed(2)}  NMI ${(100 * w.fuzzy_nmi).toFixed(2)}`,
          );
    }
  },
};

const scws: VerbSpec = {
  area: 'w2s',
  verb: 'scws',
  summary: 'Contextual word similarity on SCWS: Spearman of −JS(WordCtx2Sense) vs the average human rating.',
  flags: {
    model: { kind: 'string', description: 'Word2Sense model (.safetensors)', required: true, placeholder: 'FILE' },
    data: { kind: 'string', description: 'SCWS ratings.txt', required: true, placeholder: 'FILE' },
    ...contextFlags,
  },
  async run(args, io) {
    const model = await loadModel(arg.requiredString(args, 'model'));
    const path = arg.requiredString(args, 'data');
    const pairs = parseScws(await readText(path, 'SCWS ratings'), path);
    const r = await evaluateScws(model, pairs, contextOptions(args), { progress: progressPrinter(io) });
    const { scores: _s, ...result } = r;
    if (args.json) io.stdout(JSON.stringify(result, null, 2));
    else {
      const f = (x: number | null) => (x === null ? 'n/a' : x.toFixed(4));
      io.stdout(`SCWS: ${r.covered}/${r.pairs} pairs with both words in the vocabulary`);
      io.stdout(`Spearman ρ, in context (WordCtx2Sense): ${f(r.spearman)}`);
      io.stdout(`Spearman ρ, without context:             ${f(r.spearman_no_context)}`);
      if (r.not_converged) io.stdout(`${r.not_converged} pairs used a context-free vector for at least one word`);
    }
  },
};

export const w2sContextVerbs: VerbSpec[] = [context, wsi, wsiScore, scws];
