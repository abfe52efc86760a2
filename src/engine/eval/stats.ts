/**
 * Rank statistics used by every evaluation: average ranks for ties, Pearson and Spearman
 * correlation (Spearman = Pearson on average ranks, as scipy.stats.spearmanr).
 */

/** 1-based ranks with ties given the average of the ranks they span (scipy `rankdata(method='average')`). */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

/** Pearson correlation; NaN when either side is constant or fewer than 2 values. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n !== y.length) throw new Error(`pearson: lengths differ (${n} vs ${y.length})`);
  if (n < 2) return NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return NaN;
  return sxy / Math.sqrt(sxx * syy);
}

/** Spearman rank correlation with average ranks for ties. */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return pearson(averageRanks(x), averageRanks(y));
}

/** Precision/recall points at each distinct score threshold, highest score first (sklearn's curve). */
function prCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): { precision: number[]; recall: number[] } {
  const n = labels.length;
  if (n !== scores.length) throw new Error(`precision-recall: lengths differ (${n} vs ${scores.length})`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let positives = 0;
  for (let i = 0; i < n; i++) if (labels[i] > 0) positives++;
  const precision: number[] = [];
  const recall: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k];
    if (labels[i] > 0) tp++;
    else fp++;
    if (k + 1 < n && scores[order[k + 1]] === scores[i]) continue; // ties share one threshold
    precision.push(tp / (tp + fp));
    recall.push(positives > 0 ? tp / positives : 0);
  }
  return { precision, recall };
}

/**
 * Average precision, as sklearn's `average_precision_score`: Σ_n (R_n − R_{n−1}) P_n over the
 * distinct score thresholds (ties grouped), higher score = more likely positive. NaN without positives.
 */
export function averagePrecision(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const { precision, recall } = prCurve(labels, scores);
  if (recall.length === 0 || recall[recall.length - 1] === 0) return NaN;
  let ap = 0;
  let prev = 0;
  for (let i = 0; i < precision.length; i++) {
    ap += (recall[i] - prev) * precision[i];
    prev = recall[i];
  }
  return ap;
}

/** Best F1 over all score thresholds (max of 2PR/(P+R) along sklearn's precision–recall curve). */
export function bestF1(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const { precision, recall } = prCurve(labels, scores);
  let best = 0;
  for (let i = 0; i < precision.length; i++) {
    const s = precision[i] + recall[i];
    if (s > 0) best = Math.max(best, (2 * precision[i] * recall[i]) / s);
  }
  return best;
}
