/**
 * Sense-explorer slice: the loaded model's summary, the explored word or sense (mirrored in the URL
 * hash: `#view=senses&word=bank&sense=12&lambda=0.6`), and the latest query answers. The model itself
 * lives in the worker; the file is kept in IndexedDB so it survives a reload.
 */
import { create } from 'zustand';
import { isStopped } from '../workers/client';
import type { ModelSummary, SenseCard, SensesJobs, TrainProgress } from '../workers/jobs/senses';
import type { JobHandle } from '../workers/client';
import type { TrainOptions } from '../engine/word2sense/train';
import { listArtefacts, saveArtefact } from './artefacts';
import { compute } from './compute';

type SenseDetail = SensesJobs['w2sSense']['result'];

export interface TrainState {
  state: 'idle' | 'running' | 'done' | 'cancelled' | 'failed';
  progress?: TrainProgress;
  startedAt?: number;
  error?: string;
  result?: { perplexity: number; iterations: number; seconds: number };
}

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
  modelBytes: Blob | null;
  train(files: File[], options: TrainOptions, kind: 'corpus' | 'counts'): void;
  cancelTraining(): void;
}

let trainJob: JobHandle<unknown> | null = null;

const report = (set: (s: Partial<SensesState>) => void) => (err: unknown) => {
  if (!isStopped(err)) set({ error: err instanceof Error ? err.message : String(err) });
};

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
  training: { state: 'idle' },
  modelBytes: null,

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
    trainJob?.cancel('superseded');
    const name = `word2sense-${files[0]?.name.replace(/\.(txt|gz|tsv)+$/i, '') ?? 'model'}.safetensors`;
    set({ training: { state: 'running', startedAt: Date.now() } });
    const job = compute.run(
      'w2sTrain',
      { ...(kind === 'corpus' ? { corpus: files } : { counts: files[0] }), options, name },
      {
        onProgress: (progress) => set({ training: { ...get().training, state: 'running', progress } }),
      },
    );
    trainJob = job;
    job.then(
      async ({ bytes, summary, perplexity, iterations, seconds }) => {
        const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' });
        set({
          training: { state: 'done', result: { perplexity, iterations, seconds }, progress: get().training.progress },
          model: summary,
          modelStatus: 'ready',
          modelBytes: blob,
          wordSenses: null,
          senseDetail: null,
          senseMap: null,
        });
        await saveArtefact({
          id: 'w2s-model',
          kind: 'w2s-model',
          name: summary.name,
          meta: { V: summary.V, K: summary.K, Kmerged: summary.Kmerged },
          blob,
        });
      },
      (err: Error) => {
        if (trainJob !== job) return;
        set({ training: isStopped(err) ? { state: 'cancelled' } : { state: 'failed', error: err.message } });
      },
    );
  },

  cancelTraining() {
    trainJob?.cancel('cancelled by the user');
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
      set({ model, modelStatus: 'ready', modelBytes: file });
      if (persist)
        await saveArtefact({
          id: 'w2s-model',
          kind: 'w2s-model',
          name,
          meta: { V: model.V, K: model.K, Kmerged: model.Kmerged },
          blob: file,
        });
      const { word, sense } = get();
      if (word) get().exploreWord(word);
      if (sense >= 0 && sense < model.Kmerged) get().exploreSense(sense);
    } catch (err) {
      set({ modelStatus: 'error', modelError: err instanceof Error ? err.message : String(err) });
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
