/**
 * SCWS (Stanford Contextual Word Similarities, Huang et al. 2012): 2003 word pairs, each word in its
 * own context with the occurrence marked `<b> … </b>`, rated 0–10 by 10 people. The model's score of
 * a pair is −JS between the two WordCtx2Sense vectors projected to the merged senses (÷ p_D, L1),
 * as the authors' Performance_SCWS.py; the no-context score is −JS between the two words'
 * context-free embeddings. Spearman ρ against the average rating, over the pairs whose two words
 * are both in the vocabulary (`covered`).
 */
import { InputError } from '../util/errors';
import { CancelToken, Checkpointer } from '../util/cancel';
import type { ProgressSink } from '../util/progress';
import { contextTokens, mergedPrior, projectToMerged, wordCtx2Sense, type ContextOptions } from '../word2sense/context';
import { embeddingRow, wordIndex, type Word2SenseModel } from '../word2sense/model';
import { jsDivergence, jsDivergenceSparse } from './divergence';
import { spearman } from './stats';

/** One SCWS pair. */
export interface ScwsPair {
  id: string;
  word1: string;
  pos1: string;
  word2: string;
  pos2: string;
  /** Contexts with the `<b> … </b>` markers removed. */
  context1: string;
  context2: string;
  /** Mean of the 10 ratings (0–10). */
  average: number;
  ratings: number[];
}

/** Parses SCWS `ratings.txt` (18 TAB fields per line). */
export function parseScws(text: string, name = 'ratings.txt'): ScwsPair[] {
  const out: ScwsPair[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const f = line.split('\t');
    if (f.length < 8)
      throw new InputError(
        `${name}: line ${i + 1} has ${f.length} TAB fields, SCWS has 18 (id, w1, pos1, w2, pos2, ctx1, ctx2, avg, ratings…)`,
      );
    const average = Number(f[7]);
    if (!Number.isFinite(average))
      throw new InputError(`${name}: line ${i + 1}: average rating "${f[7]}" is not a number`);
    const unmark = (s: string) =>
      s
        .replace(/<\/?b>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();
    out.push({
      id: f[0],
      word1: f[1],
      pos1: f[2],
      word2: f[3],
      pos2: f[4],
      context1: unmark(f[5]),
      context2: unmark(f[6]),
      average,
      ratings: f.slice(8).map(Number),
    });
  });
  if (out.length === 0) throw new InputError(`${name}: no pairs`);
  return out;
}

/** SCWS result (`w2s scws --json`); Spearman over the covered pairs, null if fewer than 2. */
export interface ScwsResult {
  pairs: number;
  covered: number;
  spearman: number | null;
  spearman_no_context: number | null;
  /** Pairs where WordCtx2Sense fell back to ψ⁰ (no usable context word or divergence). */
  not_converged: number;
}

/** Scores every pair with and without context and correlates with the average human ratings. */
export async function evaluateScws(
  model: Word2SenseModel,
  pairs: readonly ScwsPair[],
  options: ContextOptions = {},
  hooks: { cancel?: CancelToken; progress?: ProgressSink } = {},
): Promise<ScwsResult & { scores: { id: string; gold: number; context: number; noContext: number }[] }> {
  const index = wordIndex(model);
  const pD = mergedPrior(model);
  const cp = new Checkpointer(hooks.cancel ?? CancelToken.none());
  const scores: { id: string; gold: number; context: number; noContext: number }[] = [];
  let notConverged = 0;
  for (let i = 0; i < pairs.length; i++) {
    await cp.check();
    const p = pairs[i];
    const w1 = contextTokens(p.word1).join(' ');
    const w2 = contextTokens(p.word2).join(' ');
    const a = index.get(w1);
    const b = index.get(w2);
    hooks.progress?.({ stage: 'scws', done: i + 1, total: pairs.length });
    if (a === undefined || b === undefined) continue;
    const r1 = wordCtx2Sense(model, index, w1, contextTokens(p.context1), options);
    const r2 = wordCtx2Sense(model, index, w2, contextTokens(p.context2), options);
    if (!r1.converged || !r2.converged) notConverged++;
    const context = -jsDivergence(projectToMerged(model, r1.psi, pD), projectToMerged(model, r2.psi, pD));
    const noContext = -jsDivergenceSparse(embeddingRow(model, a), embeddingRow(model, b));
    scores.push({ id: p.id, gold: p.average, context, noContext });
  }
  const gold = scores.map((s) => s.gold);
  const rho = (xs: number[]) => (xs.length >= 2 ? spearman(gold, xs) : null);
  return {
    pairs: pairs.length,
    covered: scores.length,
    spearman: rho(scores.map((s) => s.context)),
    spearman_no_context: rho(scores.map((s) => s.noContext)),
    not_converged: notConverged,
    scores,
  };
}
