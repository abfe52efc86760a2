/**
 * One entry point for the WSI scorers, shaped for the CLI and the app: a task name, the gold key
 * and the system key as text, and the official numbers overall and per part of speech.
 * SemEval-2010: paired F-score and V-measure (nouns `n`, verbs `v`), as fscore.jar/vmeasure.jar.
 * SemEval-2013: fuzzy B-cubed (F of fuzzy precision and recall) and fuzzy NMI (nouns `n`, verbs `v`,
 * adjectives `j`), as fuzzy-bcubed.jar/fuzzy-nmi.jar run on the gold key restricted to that POS.
 */
import { fuzzyBCubed } from './fuzzyBCubed';
import { fuzzyNmi } from './fuzzyNmi';
import { filterKeyByPos, parseGradedKey } from './gradedKey';
import { scoreSemeval2010, type Semeval2010WordScore } from './semeval2010';

/** The two WSI tasks. */
export type WsiTask = 'semeval2010' | 'semeval2013';

/** SemEval-2010 numbers for one POS selection. */
export interface Semeval2010Numbers {
  f_score: number;
  v_measure: number;
  clusters_per_word: number;
}

/** SemEval-2013 numbers for one POS selection (fuzzy_bcubed is the F of the fuzzy P and R). */
export interface Semeval2013Numbers {
  fuzzy_bcubed: number;
  fuzzy_bcubed_precision: number;
  fuzzy_bcubed_recall: number;
  fuzzy_nmi: number;
  terms: number;
}

/** The result of `w2s wsi-score`. */
export type WsiScore =
  | ({
      task: 'semeval2010';
      by_pos: Record<'n' | 'v', Semeval2010Numbers>;
      words: Semeval2010WordScore[];
    } & Semeval2010Numbers)
  | ({
      task: 'semeval2013';
      by_pos: Record<string, Semeval2013Numbers>;
      terms_scores: { term: string; fuzzy_bcubed: number; precision: number; recall: number; fuzzy_nmi: number }[];
    } & Semeval2013Numbers);

/** Scores `keyText` against `goldText` for `task`; `names` label errors. */
export function scoreWsi(
  task: WsiTask,
  goldText: string,
  keyText: string,
  names: { gold?: string; system?: string } = {},
): WsiScore {
  if (task === 'semeval2010') {
    const pick = (pos: 'all' | 'n' | 'v') => {
      const s = scoreSemeval2010(goldText, keyText, pos, names);
      return { s, numbers: { f_score: s.fScore, v_measure: s.vMeasure, clusters_per_word: s.meanClusters } };
    };
    const all = pick('all');
    return {
      task,
      ...all.numbers,
      by_pos: { n: pick('n').numbers, v: pick('v').numbers },
      words: all.s.words,
    };
  }
  const gold = parseGradedKey(goldText, names.gold ?? 'gold key');
  const test = parseGradedKey(keyText, names.system ?? 'system key');
  const numbers = (
    g: typeof gold,
  ): Semeval2013Numbers & { b3: ReturnType<typeof fuzzyBCubed>; nmi: ReturnType<typeof fuzzyNmi> } => {
    const b3 = fuzzyBCubed(g, test);
    const nmi = fuzzyNmi(g, test);
    return {
      fuzzy_bcubed: b3.fScore,
      fuzzy_bcubed_precision: b3.precision,
      fuzzy_bcubed_recall: b3.recall,
      fuzzy_nmi: nmi.nmi,
      terms: g.size,
      b3,
      nmi,
    };
  };
  const { b3, nmi, ...overall } = numbers(gold);
  const posList = [...new Set([...gold.keys()].map((t) => t.slice(t.lastIndexOf('.') + 1)))].sort();
  const by_pos: Record<string, Semeval2013Numbers> = {};
  for (const pos of posList) {
    const { b3: _b, nmi: _n, ...rest } = numbers(filterKeyByPos(gold, pos));
    by_pos[pos] = rest;
  }
  const terms_scores = [...b3.terms].map(([term, s]) => ({
    term,
    fuzzy_bcubed: s.fScore,
    precision: s.precision,
    recall: s.recall,
    fuzzy_nmi: nmi.terms.get(term) as number,
  }));
  return { task, ...overall, by_pos, terms_scores };
}
