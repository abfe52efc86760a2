/**
 * Word sense induction with WordCtx2Sense, as the authors ran SemEval-2010 (Compute_Wordctxt2Sense.py):
 * each instance's label is the argmax of its contextual sense weights ψ (ψ⁰ from the target's
 * lemma, the context being all the instance's text); the distinct labels of one target are then
 * merged into K clusters by complete linkage on the JS divergence between the senses' word
 * distributions (β rows), and every instance gets its label's cluster. Writes the task's key.
 */
import type { WsiInstance } from '../eval/wsi/readers';
import { CancelToken, Checkpointer } from '../util/cancel';
import type { ProgressSink } from '../util/progress';
import { argmaxSense, contextTokens, wordCtx2Sense, type ContextOptions } from './context';
import { wordIndex, type Word2SenseModel } from './model';
import { completeLinkage, senseDistanceMatrix } from './wsiLinkage';

/** WSI settings: clusters per target (the paper uses 2, 5, 6) and the WordCtx2Sense knobs. */
export interface WsiOptions extends ContextOptions {
  clusters: number;
  /** Context: all the instance's text (default, as the authors) or only the target sentence (2010). */
  scope?: 'instance' | 'sentence';
}

/** One instance's outcome. */
export interface WsiAssignment {
  id: string;
  term: string;
  /** Raw sense id with the largest contextual weight. */
  sense: number;
  /** Cluster of that sense among the target's labels (0-based). */
  cluster: number;
  converged: boolean;
  /** The lemma (or its surface token) was not in the vocabulary. */
  oov: boolean;
}

/** Labels and clusters for every instance, grouped by target in input order. */
export async function induceSenses(
  model: Word2SenseModel,
  instances: readonly WsiInstance[],
  options: WsiOptions,
  hooks: { cancel?: CancelToken; progress?: ProgressSink } = {},
): Promise<WsiAssignment[]> {
  const index = wordIndex(model);
  const cp = new Checkpointer(hooks.cancel ?? CancelToken.none());
  const byTerm = new Map<string, WsiInstance[]>();
  for (const inst of instances) {
    const list = byTerm.get(inst.term);
    if (list) list.push(inst);
    else byTerm.set(inst.term, [inst]);
  }
  const out: WsiAssignment[] = [];
  const jsCache = new Map<number, number>();
  let done = 0;
  for (const [term, list] of byTerm) {
    const labelled = [];
    for (const inst of list) {
      await cp.check();
      const text = options.scope === 'sentence' && inst.targetSentence ? inst.targetSentence : inst.text;
      const tokens = contextTokens(text);
      let word = contextTokens(inst.lemma).join(' ');
      if (!index.has(word) && inst.target) word = contextTokens(inst.target.token).join(' ');
      const r = wordCtx2Sense(model, index, word, tokens, options);
      labelled.push({ inst, sense: argmaxSense(r.psi), converged: r.converged, oov: r.oov });
      hooks.progress?.({ stage: 'wsi', done: ++done, total: instances.length, detail: { term } });
    }
    const senses = [...new Set(labelled.map((l) => l.sense))].sort((a, b) => a - b);
    const labels = completeLinkage(senseDistanceMatrix(model, senses, jsCache), senses.length, options.clusters);
    const clusterOf = new Map(senses.map((s, i) => [s, labels[i]]));
    for (const l of labelled)
      out.push({
        id: l.inst.id,
        term,
        sense: l.sense,
        cluster: clusterOf.get(l.sense) as number,
        converged: l.converged,
        oov: l.oov,
      });
  }
  return out;
}

/** The key file (`lemma.pos instance-id cluster-label`, one line per instance); same format for both tasks. */
export function formatWsiKey(assignments: readonly WsiAssignment[]): string {
  return assignments.map((a) => `${a.term} ${a.id} ${a.term}.c${a.cluster + 1}\n`).join('');
}

/** What a WSI run did: instances, targets, distinct labels per target, unconverged instances, OOV targets. */
export function wsiSummary(
  a: readonly WsiAssignment[],
  clusters: number,
): {
  instances: number;
  targets: number;
  clusters: number;
  labels_per_target: number;
  not_converged: number;
  oov_targets: string[];
} {
  const terms = new Set(a.map((x) => x.term));
  return {
    instances: a.length,
    targets: terms.size,
    clusters,
    labels_per_target: +(terms.size ? new Set(a.map((x) => `${x.term} ${x.sense}`)).size / terms.size : 0).toFixed(3),
    not_converged: a.filter((x) => !x.converged).length,
    oov_targets: [...new Set(a.filter((x) => x.oov).map((x) => x.term))],
  };
}
