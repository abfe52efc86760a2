/**
 * Sense-explorer slice: the loaded model's summary, the explored word or sense (mirrored in the URL
 * hash: `#view=senses&word=bank&sense=12&lambda=0.6`), and the latest query answers. The model itself
 * lives in the worker; the file is kept in IndexedDB so it survives a reload.
 */
import { create } from 'zustand';
import { isStopped } from '../workers/client';
import type { ModelSummary, SenseCard, SensesJobs } from '../workers/jobs/senses';
import { listArtefacts, saveArtefact } from './artefacts';
import { compute } from './compute';

type SenseDetail = SensesJobs['w2sSense']['result'];

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
}

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

  async openModel(file, name, persist = true) {
    set({ modelStatus: 'loading', modelError: null, wordSenses: null, senseDetail: null, neighbours: null, senseMap: null, compareSenses: null });
    try {
      const model = await compute.run('w2sOpenModel', { file, name });
      set({ model, modelStatus: 'ready' });
      if (persist) await saveArtefact({ id: 'w2s-model', kind: 'w2s-model', name, meta: { V: model.V, K: model.K, Kmerged: model.Kmerged }, blob: file });
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
    compute.latest('w2s-neighbours', 'w2sNeighbours', { word, top: 15 }).then((neighbours) => set({ neighbours }), (err) => {
      if (!isStopped(err)) set({ neighbours: null });
    });
  },

  exploreSense(sense) {
    set({ sense });
    if (get().modelStatus !== 'ready' || sense < 0) return;
    compute.latest('w2s-sense', 'w2sSense', { sense, lambda: get().lambda }).then((senseDetail) => set({ senseDetail }), report(set));
  },

  setLambda(lambda) {
    set({ lambda });
    const { word, sense, compareWith } = get();
    if (word) compute.latest('w2s-word', 'w2sWord', { word, lambda }).then((wordSenses) => set({ wordSenses }), report(set));
    if (sense >= 0) get().exploreSense(sense);
    if (compareWith) get().compare(compareWith);
  },

  compare(word) {
    set({ compareWith: word });
    if (!word) return set({ compareSenses: null });
    compute.latest('w2s-compare', 'w2sWord', { word, lambda: get().lambda }).then((compareSenses) => set({ compareSenses }), report(set));
  },

  loadSenseMap() {
    compute.latest('w2s-map', 'w2sSenseMap', {}).then((senseMap) => set({ senseMap }), report(set));
  },
}));
