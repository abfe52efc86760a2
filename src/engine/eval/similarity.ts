/**
 * Word similarity with Word2Sense embeddings: JS divergence (natural log) between the sparse
 * embeddings, lower = more similar; Spearman (average ranks) against gold scores over all pairs
 * (OOV words get the uniform vector) and over covered pairs only. Also the pair-file reader for the
 * 3-column sets (tab or space separated, CRLF, any case, header and comment lines skipped) and
 * blocked nearest-neighbour search (never a V×V matrix).
 */
import { normaliseLine } from '../text/clean';
import { Checkpointer, CancelToken } from '../util/cancel';
import { InputError } from '../util/errors';
import { embeddingOf, embeddingRow, wordIndex, type Word2SenseModel } from '../word2sense/model';
import { jsDenseSparse, jsDivergenceSparse } from './divergence';
import { spearman } from './stats';

export interface WordPair {
  w1: string;
  w2: string;
  /** Gold score (similarity) or label (entailment). */
  score: number;
  line: number;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses `w1 w2 score` lines (tab or whitespace separated). Words are lowercased and accent-stripped
 * like the corpus. Blank lines and lines starting with `#` or `//` are skipped, as is the first other
 * line when its third field is not a number (a header, e.g. SimLex's `word1 word2 POS SimLex999`) —
 * reported through `onHeader` so the CLI says so. Scores must be finite (`1e999` is refused).
 * Anything else malformed names file and line (docs/word2sense.md, "Word-pair files").
 */
export function parsePairs(text: string, name: string, onHeader?: (line: number, text: string) => void): WordPair[] {
  const out: WordPair[] = [];
  const lines = text.replace(/^\ufeff/, '').split(/\r\n|\n|\r/);
  let sawData = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#') || line.startsWith('//')) continue;
    const parts = line.includes('\t') ? line.split('\t').map((s) => s.trim()) : line.split(/\s+/);
    if (parts.length < 3)
      throw new InputError(`${name}: line ${i + 1}: expected 'word1 word2 score', got ${parts.length} field(s)`);
    const scoreText = parts[2];
    if (!NUMBER.test(scoreText)) {
      if (!sawData) {
        sawData = true; // a header line
        onHeader?.(i + 1, line);
        continue;
      }
      throw new InputError(`${name}: line ${i + 1}: score '${scoreText}' is not a number`);
    }
    sawData = true;
    const score = Number(scoreText);
    if (!Number.isFinite(score)) throw new InputError(`${name}: line ${i + 1}: score '${scoreText}' is not finite`);
    out.push({ w1: normaliseLine(parts[0]), w2: normaliseLine(parts[1]), score, line: i + 1 });
  }
  if (out.length === 0) throw new InputError(`${name}: no word pairs found`);
  return out;
}

export interface SimilarityResult {
  file: string;
  pairs: number;
  covered: number;
  /** Spearman of gold vs −JS over all pairs (OOV = uniform vector). */
  spearman: number | null;
  /** The same over pairs with both words in the vocabulary. */
  spearman_covered: number | null;
}

/** JS divergence between two words' embeddings (OOV = uniform). */
export function wordJs(model: Word2SenseModel, index: Map<string, number>, a: string, b: string): number {
  return jsDivergenceSparse(embeddingOf(model, index, a), embeddingOf(model, index, b));
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Scores one similarity set. */
export function evaluateSimilarity(model: Word2SenseModel, pairs: readonly WordPair[], file: string): SimilarityResult {
  const index = wordIndex(model);
  const gold: number[] = [];
  const pred: number[] = [];
  const goldC: number[] = [];
  const predC: number[] = [];
  for (const p of pairs) {
    const s = -wordJs(model, index, p.w1, p.w2);
    gold.push(p.score);
    pred.push(s);
    if (index.has(p.w1) && index.has(p.w2)) {
      goldC.push(p.score);
      predC.push(s);
    }
  }
  return {
    file,
    pairs: pairs.length,
    covered: goldC.length,
    spearman: finite(spearman(gold, pred)),
    spearman_covered: finite(spearman(goldC, predC)),
  };
}

export interface Neighbour {
  word: string;
  js: number;
}

/**
 * The `top` nearest words to `word` by JS divergence, scanning the vocabulary in blocks of `block`
 * rows (yielding between blocks) and keeping only a running top list: memory O(top + block).
 */
export async function neighbours(
  model: Word2SenseModel,
  word: string,
  top = 10,
  block = 4096,
  cancel = CancelToken.none(),
): Promise<Neighbour[]> {
  const w = wordIndex(model).get(word);
  if (w === undefined) throw new InputError(`'${word}' is not in the model's vocabulary`);
  return neighboursOf(model, w, top, block, cancel);
}

/**
 * {@link neighbours} for vocabulary index `w`. The query is held densely ([K'] floats), so each
 * candidate costs one pass over its µ non-zeros with logs only where the supports overlap
 * ({@link jsDenseSparse}). Ties break by vocabulary index.
 */
export async function neighboursOf(
  model: Word2SenseModel,
  w: number,
  top = 10,
  block = 4096,
  cancel = CancelToken.none(),
): Promise<Neighbour[]> {
  const row = embeddingRow(model, w);
  const q = new Float64Array(model.Kmerged);
  row.indices.forEach((d, k) => (q[d] = row.values[k]));
  const cp = new Checkpointer(cancel);
  let best: { i: number; js: number }[] = [];
  let worst = Infinity;
  for (let b0 = 0; b0 < model.V; b0 += block) {
    const b1 = Math.min(model.V, b0 + block);
    for (let i = b0; i < b1; i++) {
      if (i === w) continue;
      const js = jsDenseSparse(q, embeddingRow(model, i));
      if (best.length < top || js < worst) {
        best.push({ i, js });
        if (best.length > 2 * top + 16) {
          best.sort((x, y) => x.js - y.js || x.i - y.i);
          best = best.slice(0, top);
          worst = best[best.length - 1].js;
        }
      }
    }
    await cp.check();
  }
  best.sort((x, y) => x.js - y.js || x.i - y.i);
  return best.slice(0, top).map((b) => ({ word: model.vocab[b.i], js: b.js }));
}
