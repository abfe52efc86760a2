/**
 * The sense explorer's job contracts: what each job takes, returns and reports. Imported by the
 * worker's handlers (jobs/senses.ts) and, as types, by the store and the screens.
 */
import type { EntailmentResult } from '../../engine/eval/entailment';
import type { SimilarityResult } from '../../engine/eval/similarity';
import type { Progress } from '../../engine/util/progress';
import type { SenseWord } from '../../engine/word2sense/explore';
import type { TrainOptions } from '../../engine/word2sense/train';
import type { JobSpec } from '../protocol';

export interface ModelSummary {
  name: string;
  bytes: number;
  V: number;
  K: number;
  Kmerged: number;
  nnz: number;
  hyperparameters: Record<string, unknown>;
}

export interface IntrusionQuestion {
  sense: number;
  label: string;
  /** The five words, shuffled. */
  words: string[];
  intruder: string;
}

export interface ContextAnswer {
  tokens: string[];
  position: number;
  word: string;
  oov: boolean;
  converged: boolean;
  contextWords: number;
  /** Merged senses by contextual weight (ψ summed within each merged sense), with the context-free weight beside it. */
  senses: (SenseCard & { contextual: number; contextFree: number })[];
}

export interface SenseCard {
  sense: number;
  /** Label: id and top word, e.g. "#12 river". */
  label: string;
  weight: number;
  pSense: number;
  words: SenseWord[];
}

/** Training progress: the stage's own report plus the perplexity history so far. */
export interface TrainProgress extends Progress {
  history: { iter: number; seconds: number; perplexity: number }[];
  counts?: { V: number; nnz: number; tokens: number; seconds: number };
}

export type SensesJobs = {
  /** Trains on corpus files (or one counts file); the model becomes the loaded one; its file bytes come back. */
  w2sTrain: JobSpec<
    { corpus?: File[]; counts?: File; options: TrainOptions; name: string },
    {
      bytes: Uint8Array;
      summary: ModelSummary;
      perplexity: number;
      iterations: number;
      seconds: number;
      /** The LDA engine that ran. */
      engine: string;
    },
    TrainProgress
  >;
  w2sOpenModel: JobSpec<{ file: Blob; name: string }, ModelSummary, never>;
  w2sSearch: JobSpec<{ prefix: string; limit?: number }, string[], never>;
  w2sWord: JobSpec<
    { word: string; lambda: number; topWords?: number; maxSenses?: number },
    { word: string; oov: boolean; senses: SenseCard[] },
    never
  >;
  w2sSense: JobSpec<
    { sense: number; lambda: number; topWords?: number },
    SenseCard & { raw: number[]; users: { word: string; weight: number }[] },
    never
  >;
  w2sNeighbours: JobSpec<
    { word: string; top?: number },
    { word: string; neighbours: { word: string; js: number }[]; ms: number },
    never
  >;
  /** Scores the loaded model on similarity sets (Spearman) and entailment sets (AP / best F1, both KL directions). */
  w2sEvaluate: JobSpec<
    { similarity: { name: string; text: string }[]; entailment: { name: string; text: string }[] },
    { similarity: SimilarityResult[]; entailment: (EntailmentResult & { file: string })[] },
    never
  >;
  /** Word-intrusion questions (Panigrahi et al. 2019, §5): top 4 words of a sense + an intruder. */
  w2sIntrusion: JobSpec<{ count: number; seed: number }, IntrusionQuestion[], never>;
  /** WordCtx2Sense: the senses a context selects for one occurrence, beside the context-free ones (merged senses). */
  w2sContext: JobSpec<
    {
      text: string;
      /** index among the whitespace-separated words of `text` */ wordIndex: number;
      lambda?: number;
      relevance: number;
    },
    ContextAnswer,
    never
  >;
  w2sSenseMap: JobSpec<
    Record<string, never>,
    { x: number[]; y: number[]; p: number[]; labels: string[]; explained: number },
    { done: number; total: number }
  >;
};
