/**
 * SemEval-2010 Task 14 unsupervised scores, ported from the official `fscore.jar` and
 * `vmeasure.jar` (Manandhar et al. 2010) so that they give the jars' numbers, quirks included:
 * - keys are read token-wise (`lemma.pos instance sense`, extra tokens ignored, a `/…` suffix cut);
 * - the part of speech filter keeps gold instances whose id contains `.n.`/`.v.` (or all);
 * - a system line counts only for a gold instance not yet labelled, under a gold word of the same name;
 * - gold instances the system left out are put in one extra cluster per lemma (`lemma.CR.pos`);
 * - paired F-score uses the set of within-cluster instance pairs (a singleton gives a self-pair);
 * - V-measure uses log2 entropies of the contingency table (NaN → 0);
 * - the total is Σ_w score_w · N_w / N, with N_w the word's gold instances and N all clustered ones.
 */
import { InputError } from '../../util/errors';
import { javaLines, javaTokens } from './javaText';

/** Part of speech argument of the jars: nouns, verbs or all. */
export type Semeval2010Pos = 'n' | 'v' | 'all';

/** One target word's scores (all in [0, 1]). */
export interface Semeval2010WordScore {
  word: string;
  fScore: number;
  precision: number;
  recall: number;
  vMeasure: number;
  homogeneity: number;
  completeness: number;
  /** Number of system clusters (after the jar's catch-all cluster for unlabelled instances). */
  clusters: number;
  /** Number of gold senses. */
  classes: number;
  /** Gold instances of this word. */
  instances: number;
}

/** Totals as the jars print them ("Total FScore", "Total V-Measure", "Clusters Number"). */
export interface Semeval2010Score {
  pos: Semeval2010Pos;
  fScore: number;
  vMeasure: number;
  /** Mean number of clusters per word. */
  meanClusters: number;
  words: Semeval2010WordScore[];
}

interface Word {
  name: string;
  classes: Map<string, string[]>;
  clusters: Map<string, string[]>;
}

function cutWeight(sense: string): string {
  const i = sense.indexOf('/');
  return i === -1 ? sense : sense.slice(0, i);
}

function threeTokens(line: string, file: string, lineNo: number): [string, string, string] {
  const t = javaTokens(line);
  if (t.length < 3)
    throw new InputError(`${file}: line ${lineNo} needs "lemma.pos instance sense", got "${line.slice(0, 80)}"`);
  return [t[0], t[1], t[2]];
}

/** Reads gold and system keys the way FileIO.readSenseInductionKey/readClusteringSolutionKey do. */
function readKeys(
  goldText: string,
  systemText: string,
  pos: Semeval2010Pos,
  goldName: string,
  systemName: string,
): Word[] {
  const filter = pos === 'n' ? '.n.' : pos === 'v' ? '.v.' : '.';
  const words: Word[] = [];
  const byName = new Map<string, Word>();
  const unlabelled = new Set<string>();
  javaLines(goldText).forEach((line, i) => {
    if (line.length <= 1) return;
    const [w, inst, s] = threeTokens(line, goldName, i + 1);
    if (!inst.includes(filter)) return;
    unlabelled.add(inst);
    const sense = cutWeight(s);
    let word = byName.get(w);
    if (!word) {
      word = { name: w, classes: new Map(), clusters: new Map() };
      words.push(word);
      byName.set(w, word);
    }
    const cls = word.classes.get(sense);
    if (cls) cls.push(inst);
    else word.classes.set(sense, [inst]);
  });

  const lastWordNamed = (name: string): Word | undefined => {
    let found: Word | undefined;
    for (const w of words) if (w.name === name) found = w;
    return found;
  };
  const local = new Map<string, Word>();
  javaLines(systemText).forEach((line, i) => {
    if (line.length <= 1) return;
    const [w, inst, c] = threeTokens(line, systemName, i + 1);
    if (!unlabelled.has(inst)) return;
    unlabelled.delete(inst);
    const cluster = cutWeight(c);
    let word = local.get(w);
    if (!word) {
      // A system word with no gold word of that name gets a detached Word: its instances are lost.
      word = lastWordNamed(w) ?? { name: w, classes: new Map(), clusters: new Map() };
      local.set(w, word);
    }
    const cl = word.clusters.get(cluster);
    if (cl) cl.push(inst);
    else word.clusters.set(cluster, [inst]);
  });

  // Gold instances the system did not label: one extra cluster per lemma.
  const extra = new Map<string, string[]>();
  for (const inst of unlabelled) {
    const lemma = inst.slice(0, Math.max(0, inst.indexOf('.')));
    const crName = `${lemma}.CR.${pos}`;
    const existing = extra.get(crName);
    if (existing) {
      existing.push(inst);
      continue;
    }
    const spec = `${lemma}.${pos}`;
    const candidates = spec.includes('all') ? [`${lemma}.v`, `${lemma}.n`] : [spec];
    let target: Word | undefined;
    for (const w of words) if (candidates.includes(w.name)) target = w;
    if (!target) throw new InputError(`${goldName}: instance ${inst} does not start with the lemma of its word`);
    const cl = [inst];
    target.clusters.set(crName, cl);
    extra.set(crName, cl);
  }
  return words;
}

function pairSet(groups: Iterable<string[]>): Set<string> {
  const pairs = new Set<string>();
  for (const g of groups) {
    const s = [...g].sort();
    if (s.length > 1) {
      for (let i = 0; i < s.length; i++) for (let j = i + 1; j < s.length; j++) pairs.add(`${s[i]}_${s[j]}`);
    } else pairs.add(`${s[0]}_${s[0]}`);
  }
  return pairs;
}

/**
 * |cluster pairs|, |class pairs| and |both| as the jar's sets of "a_b" strings would count them.
 * Without repeated gold instances the sets are disjoint unions, so the sizes follow from the
 * contingency table: C(n,2) per group of n ≥ 2, one self-pair per singleton; the shared pairs are
 * Σ C(n_kc, 2) plus the instances that are singletons on both sides. Otherwise the sets are built.
 */
function pairCounts(word: Word, goldUnique: boolean): { cluster: number; cls: number; both: number } {
  if (!goldUnique) {
    const clusterPairs = pairSet(word.clusters.values());
    const classPairs = pairSet(word.classes.values());
    let both = 0;
    for (const p of classPairs) if (clusterPairs.has(p)) both++;
    return { cluster: clusterPairs.size, cls: classPairs.size, both };
  }
  const choose2 = (n: number) => (n > 1 ? (n * (n - 1)) / 2 : n);
  const classOf = new Map<string, string[]>();
  for (const c of word.classes.values()) for (const x of c) classOf.set(x, c);
  let cluster = 0;
  let cls = 0;
  let both = 0;
  for (const c of word.classes.values()) cls += choose2(c.length);
  for (const cl of word.clusters.values()) {
    cluster += choose2(cl.length);
    if (cl.length === 1) {
      const c = classOf.get(cl[0]);
      if (c && c.length === 1) both++;
      continue;
    }
    const perClass = new Map<string[], number>();
    for (const x of cl) {
      const c = classOf.get(x);
      if (c) perClass.set(c, (perClass.get(c) ?? 0) + 1);
    }
    for (const n of perClass.values()) if (n > 1) both += (n * (n - 1)) / 2;
  }
  return { cluster, cls, both };
}

function log2(x: number): number {
  return Math.log10(x) / Math.log10(2);
}

/** V-measure of one word as engine.VMeasureCalculation computes it. */
function vMeasureOfWord(word: Word, nTotal: number): { v: number; h: number; c: number } {
  const classes = [...word.classes.values()].map((c) => new Set(c));
  const clusters = [...word.clusters.values()];
  // n[k][c] = number of cluster-k entries found in class c (Vector.retainAll keeps multiplicity).
  const n = clusters.map((cl) => classes.map((cs) => cl.reduce((a, x) => a + (cs.has(x) ? 1 : 0), 0)));
  const K = clusters.length;
  const C = classes.length;
  const clusterSize = n.map((row) => row.reduce((a, b) => a + b, 0));
  const classSize = classes.map((_, c) => n.reduce((a, row) => a + row[c], 0));
  let hCgivenK = 0;
  let hKgivenC = 0;
  for (let k = 0; k < K; k++)
    for (let c = 0; c < C; c++) {
      const x = n[k][c];
      if (clusterSize[k] > 0 && x > 0) hCgivenK += (x / nTotal) * log2(x / clusterSize[k]);
      if (x > 0 && classSize[c] > 0) hKgivenC += (x / nTotal) * log2(x / classSize[c]);
    }
  hCgivenK = -hCgivenK;
  hKgivenC = -hKgivenC;
  let hK = 0;
  for (let k = 0; k < K; k++) {
    const p = clusterSize[k] / nTotal;
    hK += p * log2(p);
  }
  hK = -hK;
  let hC = 0;
  for (let c = 0; c < C; c++) {
    const p = classSize[c] / nTotal;
    hC += p * log2(p);
  }
  hC = -hC;
  const h = hC > 0 ? 1 - hCgivenK / hC : 1;
  const c = hK > 0 ? 1 - hKgivenC / hK : 1;
  return { v: (2 * h * c) / (h + c), h, c };
}

/**
 * Scores a system key against the gold key for one part of speech, as `java -jar fscore.jar
 * SYSTEM GOLD pos` and `java -jar vmeasure.jar SYSTEM GOLD pos` do (totals unrounded).
 */
export function scoreSemeval2010(
  goldText: string,
  systemText: string,
  pos: Semeval2010Pos = 'all',
  names: { gold?: string; system?: string } = {},
): Semeval2010Score {
  const words = readKeys(goldText, systemText, pos, names.gold ?? 'gold key', names.system ?? 'system key');
  let goldLines = 0;
  const goldIds = new Set<string>();
  for (const w of words)
    for (const c of w.classes.values()) {
      goldLines += c.length;
      for (const x of c) goldIds.add(x);
    }
  const goldUnique = goldLines === goldIds.size;
  let nClustered = 0;
  for (const w of words) for (const cl of w.clusters.values()) nClustered += cl.length;
  let fTotal = 0;
  let vTotal = 0;
  let clusterCount = 0;
  const scores: Semeval2010WordScore[] = [];
  for (const w of words) {
    const pc = pairCounts(w, goldUnique);
    const precision = pc.both / pc.cluster;
    const recall = pc.both / pc.cls;
    let f = (2 * precision * recall) / (precision + recall);
    if (Number.isNaN(f)) f = 0;
    let instances = 0;
    for (const c of w.classes.values()) instances += c.length;
    const vm = vMeasureOfWord(w, instances);
    const v = Number.isNaN(vm.v) ? 0 : vm.v;
    fTotal += f * (instances / nClustered);
    vTotal += v * (instances / nClustered);
    clusterCount += w.clusters.size;
    scores.push({
      word: w.name,
      fScore: f,
      precision,
      recall,
      vMeasure: v,
      homogeneity: vm.h,
      completeness: vm.c,
      clusters: w.clusters.size,
      classes: w.classes.size,
      instances,
    });
  }
  return { pos, fScore: fTotal, vMeasure: vTotal, meanClusters: clusterCount / words.length, words: scores };
}
