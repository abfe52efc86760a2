/**
 * Sense-explorer slice: the loaded model's summary, the explored word or sense (mirrored in the URL
 * hash: `#view=senses&word=bank&sense=12&lambda=0.6`), and the latest query answers. The model itself
 * lives in the worker; its file is kept in IndexedDB (not in the store) so it survives a reload and
 * can be downloaded. Every compute call is an action here; long ones (training, evaluation) and
 * the in-context answer run through the {@link TaskRunner}, so the newest request wins.
 */
import { create } from 'zustand';
import { isStopped } from '../workers/client';
import type {
  ContextAnswer,
  IntrusionQuestion,
  ModelSummary,
  SenseCard,
  SensesJobs,
  TrainProgress,
} from '../workers/contracts/senses';
import type { TrainOptions } from '../engine/word2sense/train';
import { loadArtefact, listArtefacts, saveArtefact } from './artefacts';
import { bundledFile } from './bundled';
import { compute } from './compute';
import { deferJob, IDLE, messageOf, TaskRunner, type TaskState } from './task';

type SenseDetail = SensesJobs['w2sSense']['result'];

export type TrainState = TaskState<
  { perplexity: number; iterations: number; seconds: number; engine: string },
  TrainProgress
>;

/** The bundled evaluation sets (public/data/eval), scored in one click. */
const SIMILARITY_SETS = [
  'EN-WS-353-ALL.txt',
  'EN-MEN-TR-3k.txt',
  'EN-SIMLEX-999.txt',
  'EN-RW-STANFORD.txt',
  'EN-MTurk-771.txt',
  'EN-SimVerb-3500.txt',
];
const ENTAILMENT_SETS = ['baroni2012-leds.tsv'];

async function bundledSet(name: string): Promise<{ name: string; text: string }> {
  return { name, text: await (await bundledFile(`data/eval/${name}`)).text() };
}

export type Evaluation = SensesJobs['w2sEvaluate']['result'];

/**
 * Bytes of text this browser can count in memory: a quarter of the device memory it reports
 * (navigator.deviceMemory, capped at 8 GB by browsers), else 1 GB.
 */
export function browserCorpusBudget(): number {
  const gb = (navigator as Navigator & { deviceMemory?: number }).deviceMemory ?? 4;
  return (gb / 4) * 2 ** 30;
}

/** Estimated text bytes of the dropped files (gzip expands English text about 3×). */
export function estimatedTextBytes(files: readonly File[]): number {
  return files.reduce((sum, f) => sum + (/\.gz$/i.test(f.name) ? 3 * f.size : f.size), 0);
}

interface SensesState {
  model: ModelSummary | null;
  modelStatus: 'none' | 'loading' | 'ready' | 'error';
  modelError: string | null;
  word: string;
  sense: number;
  lambda: number;
  compareWith: string;
  suggestions: string[];
  wordSenses: { word: string; oov: boolean; senses: SenseCard[] } | null;
  compareSenses: { word: string; oov: boolean; senses: SenseCard[] } | null;
  senseDetail: SenseDetail | null;
  neighbours: { word: string; neighbours: { word: string; js: number }[]; ms: number } | null;
  senseMap: SensesJobs['w2sSenseMap']['result'] | null;
  error: string | null;
  openModel(file: Blob, name: string, persist?: boolean): Promise<void>;
  restoreModel(): Promise<boolean>;
  suggest(prefix: string): void;
  exploreWord(word: string): void;
  exploreSense(sense: number): void;
  setLambda(lambda: number): void;
  compare(word: string): void;
  loadSenseMap(): void;
  training: TrainState;
  train(files: File[], options: TrainOptions, kind: 'corpus' | 'counts'): void;
  cancelTraining(): void;
  /** The loaded model's file (from IndexedDB), for download; null when none is kept. */
  modelFile(): Promise<Blob | null>;
  evaluation: TaskState<Evaluation, never>;
  /** Scores the model on the bundled similarity and entailment sets. */
  evaluate(): void;
  intrusion: IntrusionQuestion[];
  /** New word-intrusion questions. */
  startIntrusion(): Promise<void>;
  context: TaskState<ContextAnswer, never>;
  /** WordCtx2Sense for the `wordIndex`-th word of `text` (newest request wins). */
  inferContext(text: string, wordIndex: number): void;
}

const runner = new TaskRunner();

const report = (set: (s: Partial<SensesState>) => void) => (err: unknown) => {
  if (!isStopped(err)) set({ error: messageOf(err) });
};

const resultOf = (r: SensesJobs['w2sTrain']['result']) => ({
  perplexity: r.perplexity,
  iterations: r.iterations,
  seconds: r.seconds,
  engine: r.engine,
});

/** Keeps the model file in IndexedDB: it survives a reload and is what "Download model" saves. */
function keepModel(summary: Pick<ModelSummary, 'name' | 'V' | 'K' | 'Kmerged'>, blob: Blob): Promise<unknown> {
  return saveArtefact({
    id: 'w2s-model',
    kind: 'w2s-model',
    name: summary.name,
    meta: { V: summary.V, K: summary.K, Kmerged: summary.Kmerged },
    blob,
  });
}

export const useSenses = create<SensesState>((set, get) => ({
  model: null,
  modelStatus: 'none',
  modelError: null,
  word: '',
  sense: -1,
  lambda: 0.6,
  compareWith: '',
  suggestions: [],
  wordSenses: null,
  compareSenses: null,
  senseDetail: null,
  neighbours: null,
  senseMap: null,
  error: null,
  training: IDLE,
  evaluation: IDLE,
  intrusion: [],
  context: IDLE,

  train(files, options, kind) {
    const need = estimatedTextBytes(files);
    const budget = browserCorpusBudget();
    if (need > budget) {
      const gb = (b: number) => `${(b / 2 ** 30).toFixed(2)} GB`;
      set({
        training: {
          state: 'failed',
          error: `${files.map((f) => f.name).join(', ')}: about ${gb(need)} of text, more than this browser can count in memory (budget ${gb(budget)}). Train it in Node: npx sensescape w2s train --corpus FILE… --out model.safetensors, then drop the model here.`,
        },
      });
      return;
    }
    const name = `word2sense-${files[0]?.name.replace(/\.(txt|gz|tsv)+$/i, '') ?? 'model'}.safetensors`;
    void runner.run<SensesJobs['w2sTrain']['result'], TrainProgress>(
      'train',
      (t) =>
        set({
          training: { ...t, result: t.state === 'done' && t.result ? resultOf(t.result) : undefined } as TrainState,
        }),
      (onProgress) =>
        compute.run(
          'w2sTrain',
          { ...(kind === 'corpus' ? { corpus: files } : { counts: files[0] }), options, name },
          { onProgress },
        ),
      {
        done: async ({ bytes, summary }) => {
          const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' });
          set({ model: summary, modelStatus: 'ready', wordSenses: null, senseDetail: null, senseMap: null });
          await keepModel(summary, blob);
        },
      },
    );
  },

  cancelTraining() {
    runner.cancel('train');
  },

  async modelFile() {
    return (await loadArtefact('w2s-model'))?.blob ?? null;
  },

  evaluate() {
    void runner.run<Evaluation, never>(
      'evaluate',
      (evaluation) => set({ evaluation }),
      () =>
        deferJob(
          Promise.all([Promise.all(SIMILARITY_SETS.map(bundledSet)), Promise.all(ENTAILMENT_SETS.map(bundledSet))]),
          ([similarity, entailment]) => compute.run('w2sEvaluate', { similarity, entailment }),
        ),
    );
  },

  async startIntrusion() {
    try {
      set({
        intrusion: await compute.latest('w2s-intrusion', 'w2sIntrusion', { count: 10, seed: Date.now() % 1_000_000 }),
      });
    } catch (err) {
      report(set)(err);
    }
  },

  inferContext(text, wordIndex) {
    void runner.run<ContextAnswer, never>(
      'context',
      (context) => set({ context }),
      () => compute.run('w2sContext', { text, wordIndex, relevance: get().lambda }),
      { initial: { result: get().context.result } }, // the previous answer stays until the new one arrives
    );
  },

  async openModel(file, name, persist = true) {
    set({
      modelStatus: 'loading',
      modelError: null,
      wordSenses: null,
      senseDetail: null,
      neighbours: null,
      senseMap: null,
      compareSenses: null,
    });
    try {
      const model = await compute.run('w2sOpenModel', { file, name });
      set({ model, modelStatus: 'ready' });
      if (persist) await keepModel(model, file);
      const { word, sense } = get();
      if (word) get().exploreWord(word);
      if (sense >= 0 && sense < model.Kmerged) get().exploreSense(sense);
    } catch (err) {
      set({ modelStatus: 'error', modelError: messageOf(err) });
    }
  },

  async restoreModel() {
    const saved = (await listArtefacts('w2s-model')).find((r) => r.id === 'w2s-model');
    if (!saved?.blob) return false;
    await get().openModel(saved.blob, saved.name, false);
    return true;
  },

  suggest(prefix) {
    if (get().modelStatus !== 'ready') return;
    compute.latest('w2s-suggest', 'w2sSearch', { prefix }).then((suggestions) => set({ suggestions }), report(set));
  },

  exploreWord(word) {
    set({ word, error: null });
    if (get().modelStatus !== 'ready' || !word) return;
    const lambda = get().lambda;
    compute.latest('w2s-word', 'w2sWord', { word, lambda }).then((wordSenses) => {
      set({ wordSenses });
      const first = wordSenses.senses[0];
      if (first && get().sense < 0) get().exploreSense(first.sense);
    }, report(set));
    compute.latest('w2s-neighbours', 'w2sNeighbours', { word, top: 15 }).then(
      (neighbours) => set({ neighbours }),
      (err) => {
        if (!isStopped(err)) set({ neighbours: null });
      },
    );
  },

  exploreSense(sense) {
    set({ sense });
    if (get().modelStatus !== 'ready' || sense < 0) return;
    compute
      .latest('w2s-sense', 'w2sSense', { sense, lambda: get().lambda })
      .then((senseDetail) => set({ senseDetail }), report(set));
  },

  setLambda(lambda) {
    set({ lambda });
    const { word, sense, compareWith } = get();
    if (word)
      compute.latest('w2s-word', 'w2sWord', { word, lambda }).then((wordSenses) => set({ wordSenses }), report(set));
    if (sense >= 0) get().exploreSense(sense);
    if (compareWith) get().compare(compareWith);
  },

  compare(word) {
    set({ compareWith: word });
    if (!word) return set({ compareSenses: null });
    compute
      .latest('w2s-compare', 'w2sWord', { word, lambda: get().lambda })
      .then((compareSenses) => set({ compareSenses }), report(set));
  },

  loadSenseMap() {
    compute.latest('w2s-map', 'w2sSenseMap', {}).then((senseMap) => set({ senseMap }), report(set));
  },
}));
