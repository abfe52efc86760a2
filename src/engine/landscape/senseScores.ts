/**
 * Scores of the sense probe at one layer and one position, from the contextual vectors:
 * - WSI (SemEval-2010/2013): per target word, average-linkage clusters on cosine distance cut at ≤ K
 *   (eval/averageLinkage.ts, as scipy), written as a key (`term id term.cN`) and scored by the
 *   official-equal scorers (eval/wsi/score.ts) against the gold key restricted to the instances used;
 * - SCWS: Spearman ρ between the cosine of each pair's two target vectors and the mean human rating;
 * - agreement with Word2Sense: per target word, the adjusted mutual information (eval/ami.ts) between
 *   BERT's clusters and the argmax WordCtx2Sense senses of the same instances, averaged over targets
 *   with at least 2 instances (one AMI over all instances would mostly measure target identity).
 */
import { adjustedMutualInfo } from '../eval/ami';
import { clusterCosineAverage } from '../eval/averageLinkage';
import type { ScwsPair } from '../eval/scws';
import { spearman } from '../eval/stats';
import { scoreWsi, type WsiTask } from '../eval/wsi/score';
import type { SenseInstance } from './senseData';

/** The probe's metrics per task (the JSON keys of `scores`). */
export const SENSE_METRICS = {
  semeval2010: ['f_score', 'v_measure'],
  semeval2013: ['fuzzy_bcubed', 'fuzzy_nmi'],
  scws: ['spearman'],
} as const;

export type SenseTask = keyof typeof SENSE_METRICS;

/** Instance indices grouped by target word, in first-seen order. */
export function groupByTerm(instances: readonly SenseInstance[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  instances.forEach((inst, i) => {
    const g = out.get(inst.term);
    if (g) g.push(i);
    else out.set(inst.term, [i]);
  });
  return out;
}

/** Per instance, its cluster (1…k) among its target's instances; `vectors` is [instances × dim]. */
export function clusterByTerm(
  groups: ReadonlyMap<string, number[]>,
  vectors: Float32Array,
  dim: number,
  k: number,
): Int32Array {
  const n = vectors.length / dim;
  const labels = new Int32Array(n);
  for (const idx of groups.values()) {
    const x = new Float64Array(idx.length * dim);
    idx.forEach((i, r) => x.set(vectors.subarray(i * dim, (i + 1) * dim), r * dim));
    const l = clusterCosineAverage(x, idx.length, dim, k);
    idx.forEach((i, r) => (labels[i] = l[r]));
  }
  return labels;
}

/** The key file text: `term id term.cN` per instance, in instance order (same format as `w2s wsi`). */
export function formatSenseKey(instances: readonly SenseInstance[], labels: ArrayLike<number>): string {
  return instances.map((inst, i) => `${inst.term} ${inst.id} ${inst.term}.c${labels[i]}\n`).join('');
}

/** The gold key's lines for the given instance ids only (a partial run must not be scored as missing the rest). */
export function restrictGold(goldText: string, ids: ReadonlySet<string>): string {
  return goldText
    .split(/\r?\n/)
    .filter((line) => {
      const f = line.trim().split(/\s+/);
      return f.length >= 2 && ids.has(f[1]);
    })
    .map((l) => `${l}\n`)
    .join('');
}

/** The task's numbers for a key (2010: F-score, V-measure; 2013: fuzzy B-cubed, fuzzy NMI). */
export function scoreKey(task: WsiTask, gold: string, key: string): Record<string, number> {
  const s = scoreWsi(task, gold, key, { gold: 'gold key', system: 'probe key' });
  return s.task === 'semeval2010'
    ? { f_score: s.f_score, v_measure: s.v_measure }
    : { fuzzy_bcubed: s.fuzzy_bcubed, fuzzy_nmi: s.fuzzy_nmi };
}

/** SCWS ρ: instances 2k and 2k + 1 are pair k's two words; null with fewer than 2 pairs. */
export function scwsSpearman(pairs: readonly ScwsPair[], vectors: Float32Array, dim: number): number | null {
  if (pairs.length < 2) return null;
  const cos = pairs.map((_, k) => {
    let xy = 0;
    let xx = 0;
    let yy = 0;
    const a = 2 * k * dim;
    const b = (2 * k + 1) * dim;
    for (let j = 0; j < dim; j++) {
      xy += vectors[a + j] * vectors[b + j];
      xx += vectors[a + j] * vectors[a + j];
      yy += vectors[b + j] * vectors[b + j];
    }
    return xy / Math.sqrt(xx * yy);
  });
  return spearman(
    pairs.map((p) => p.average),
    cos,
  );
}

/** Mean over targets (≥ 2 instances) of AMI(BERT clusters, Word2Sense senses); null when none qualifies. */
export function meanAgreement(
  groups: ReadonlyMap<string, number[]>,
  clusters: ArrayLike<number>,
  senses: ArrayLike<number>,
): number | null {
  let sum = 0;
  let count = 0;
  for (const idx of groups.values()) {
    if (idx.length < 2) continue;
    sum += adjustedMutualInfo(
      idx.map((i) => clusters[i]),
      idx.map((i) => senses[i]),
    );
    count++;
  }
  return count ? sum / count : null;
}
