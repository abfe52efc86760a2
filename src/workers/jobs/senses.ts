/**
 * Sense-explorer jobs: open a Word2Sense model file (kept in the worker), search the vocabulary, a
 * word's senses with their top words, a sense's details, nearest neighbours by JS divergence and the
 * MDS map of all senses. Answers are small (tens of words), so typing stays fluid.
 */
import { evaluateSimilarity, parsePairs } from '../../engine/eval/similarity';
import { evaluateEntailment } from '../../engine/eval/entailment';
import { SenseExplorer } from '../../engine/word2sense/explore';
import { wordIndex, type Word2SenseModel } from '../../engine/word2sense/model';
import { readWord2SenseModel, writeWord2SenseModel } from '../../engine/word2sense/modelFile';
import { trainWord2Sense } from '../../engine/word2sense/train';
import { contextTokens, wordCtx2Sense } from '../../engine/word2sense/context';
import type { CorpusSource } from '../../engine/text/corpus';
import { readableChunks } from '../../engine/text/lines';
import { currentBackend } from '../../engine/tensor/backend';
import { InputError } from '../../engine/util/errors';
import type { JobHandlers } from '../host';
import type { ModelSummary, SenseCard, SensesJobs, TrainProgress } from '../contracts/senses';

let model: Word2SenseModel | null = null;
let explorer: SenseExplorer | null = null;
let index: Map<string, number> | null = null;

function setModel(m: Word2SenseModel): void {
  model = m;
  explorer = new SenseExplorer(m);
  index = wordIndex(m);
}

function summarise(m: Word2SenseModel, name: string, bytes: number): ModelSummary {
  return {
    name,
    bytes,
    V: m.V,
    K: m.K,
    Kmerged: m.Kmerged,
    nnz: m.embedding.values.length,
    hyperparameters: m.hyperparameters,
  };
}

/** A re-openable corpus source over a dropped File (streamed; gzip handled by the corpus reader). */
function fileSource(file: File): CorpusSource {
  return { name: file.name, open: () => readableChunks(file.stream()) };
}

/** The model the sense explorer has open (the sense probe's Word2Sense reference), or null. */
export function loadedWord2Sense(): Word2SenseModel | null {
  return model;
}

function loaded(): { model: Word2SenseModel; explorer: SenseExplorer; index: Map<string, number> } {
  if (!model || !explorer || !index) throw new InputError('no Word2Sense model is loaded');
  return { model, explorer, index };
}

function card(ex: SenseExplorer, sense: number, weight: number, lambda: number, topWords: number): SenseCard {
  const words = ex.topWords(sense, topWords, lambda);
  const top = ex.topWords(sense, 1, 1)[0]?.word ?? '';
  return { sense, label: `#${sense} ${top}`, weight, pSense: ex.pMerged[sense], words };
}

export const sensesHandlers: JobHandlers<SensesJobs> = {
  async w2sOpenModel({ file, name }) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const m = await readWord2SenseModel(bytes, name);
    setModel(m);
    return summarise(m, name, bytes.byteLength);
  },

  async w2sTrain({ corpus, counts, options, name }, ctx) {
    if ((corpus?.length ? 1 : 0) + (counts ? 1 : 0) !== 1) throw new InputError('give corpus files or one counts file');
    const history: TrainProgress['history'] = [];
    let countsSummary: TrainProgress['counts'];
    const r = await trainWord2Sense(
      corpus?.length ? { corpus: corpus.map(fileSource) } : { counts: fileSource(counts!) },
      options,
      {
        cancel: ctx.token,
        backend: currentBackend()?.backend,
        progress: (p) => ctx.progress({ ...p, history, counts: countsSummary }),
        onCounts: (c) => (countsSummary = c),
        onIteration: (rec) => history.push({ iter: rec.iter, seconds: rec.seconds, perplexity: rec.perplexity }),
      },
    );
    const bytes = writeWord2SenseModel(r.model);
    setModel(r.model);
    return {
      bytes,
      summary: summarise(r.model, name, bytes.byteLength),
      perplexity: r.perplexity,
      iterations: r.iterations,
      seconds: r.seconds,
      engine: r.engine,
    };
  },

  async w2sSearch({ prefix, limit }) {
    return loaded().explorer.search(prefix, limit ?? 12);
  },

  async w2sWord({ word, lambda, topWords, maxSenses }) {
    const { explorer: ex, index: idx } = loaded();
    const w = idx.get(word.trim().toLowerCase());
    if (w === undefined) return { word, oov: true, senses: [] };
    const senses = ex.wordSenses(w).slice(0, maxSenses ?? 12);
    return {
      word: word.trim().toLowerCase(),
      oov: false,
      senses: senses.map((s) => card(ex, s.sense, s.weight, lambda, topWords ?? 40)),
    };
  },

  async w2sSense({ sense, lambda, topWords }) {
    const { explorer: ex } = loaded();
    const base = card(ex, sense, ex.pMerged[sense], lambda, topWords ?? 60);
    return {
      ...base,
      raw: ex.members[sense],
      users: ex.wordsUsing(sense, 20).map((u) => ({ word: u.word, weight: u.weight })),
    };
  },

  async w2sNeighbours({ word, top }, ctx) {
    const { explorer: ex, index: idx } = loaded();
    const t0 = performance.now();
    const w = idx.get(word.trim().toLowerCase());
    if (w === undefined) throw new InputError(`'${word}' is not in the model's vocabulary`);
    const list = await ex.neighbours(w, top ?? 15, ctx.token);
    return { word, neighbours: list, ms: performance.now() - t0 };
  },

  async w2sEvaluate({ similarity, entailment }) {
    const { model: m } = loaded();
    return {
      similarity: similarity.map((f) => evaluateSimilarity(m, parsePairs(f.text, f.name), f.name)),
      entailment: entailment.flatMap((f) =>
        evaluateEntailment(m, parsePairs(f.text, f.name)).map((r) => ({ ...r, file: f.name })),
      ),
    };
  },

  async w2sIntrusion({ count, seed }) {
    return loaded().explorer.intrusionQuestions(count, seed);
  },

  async w2sContext({ text, wordIndex: raw, lambda, relevance }) {
    const { model: m, explorer: ex, index: idx } = loaded();
    // Clean word by word so the clicked word maps to its cleaned token (punctuation-only words vanish).
    const words = text.split(/\s+/).filter(Boolean);
    const tokens: string[] = [];
    let position = -1;
    words.forEach((wd, i) => {
      const cleaned = contextTokens(wd);
      if (i === raw && cleaned.length > 0) position = tokens.length;
      tokens.push(...cleaned);
    });
    if (position < 0)
      throw new InputError(`'${words[raw] ?? ''}' is not a word the model can read (punctuation only?)`);
    const word = tokens[position];
    const r = wordCtx2Sense(m, idx, word, tokens, lambda === undefined ? {} : { lambda });
    const ctxW = new Float64Array(m.Kmerged);
    const freeW = new Float64Array(m.Kmerged);
    for (let z = 0; z < m.K; z++) {
      ctxW[m.merge[z]] += r.psi[z];
      freeW[m.merge[z]] += r.psi0[z];
    }
    const order = Array.from(ctxW.keys())
      .filter((d) => ctxW[d] > 1e-4 || freeW[d] > 1e-4)
      .sort((a, b) => ctxW[b] - ctxW[a] || a - b)
      .slice(0, 10);
    return {
      tokens,
      position,
      word,
      oov: r.oov,
      converged: r.converged,
      contextWords: r.contextWords,
      senses: order.map((d) => ({
        ...card(ex, d, ctxW[d], relevance, 30),
        contextual: ctxW[d],
        contextFree: freeW[d],
      })),
    };
  },

  async w2sSenseMap(_payload, ctx) {
    const { explorer: ex } = loaded();
    const r = await ex.senseMap(undefined, ctx.token);
    const K = ex.model.Kmerged;
    return {
      x: Array.from(r.x),
      y: Array.from(r.y),
      p: Array.from(ex.pMerged),
      labels: Array.from({ length: K }, (_, d) => `#${d} ${ex.topWords(d, 1, 1)[0]?.word ?? ''}`),
      explained: r.explained,
    };
  },
};
