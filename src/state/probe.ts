/**
 * The sense probe's store (the landscape studio's split view, features/probe/): its inputs (task,
 * the task's dropped files, clusters K, layers, max instances), the run — `lsSenses`, the same engine
 * service as `sensescape landscape senses`, on the studio's origin → task-A path at the studio's α
 * positions, so the heatmap's columns are the 1D curve's α — and the view (metric, selected cell,
 * target word), which the URL hash keeps (PROBE_URL). With a Word2Sense model open in the sense
 * explorer, the run also asks for its agreement, baseline and per-instance senses.
 */
import { create } from 'zustand';
import type { PointProgress, SensesData } from '../workers/contracts/landscape';
import type { SenseCard } from '../workers/contracts/senses';
import { compute } from './compute';
import { useLandscape } from './landscape';
import { evenRange } from './landscapeRoles';
import { byRole } from './landscapeTypes';
import { useSenses } from './senses';
import { IDLE, TaskRunner, type TaskState } from './task';

import { parseLayers, type ProbeTask, type ProbeUrl } from './probeUrl';

export { mergeProbeHash, parseLayers, PROBE_TASKS, PROBE_URL, type ProbeTask, type ProbeUrl } from './probeUrl';

export type ProbeRun = TaskState<SensesData, PointProgress<unknown>>;

export interface ProbeState {
  task: ProbeTask;
  files: File[];
  clusters: number;
  /** `all` or a comma list (`0,2`). */
  layers: string;
  /** 0 = every instance. */
  maxInstances: number;
  run: ProbeRun;
  /** A key of the result's scores, or `w2s_agreement`; '' = the first score. */
  metric: string;
  /** The selected cell (layer value, α index): the click-through's clusters. */
  cell: { layer: number; col: number } | null;
  word: string;
  /** Word2Sense sense cards (merged sense → its top words) for the click-through's clouds. */
  cards: Record<number, SenseCard>;
  setInputs(patch: Partial<Pick<ProbeState, 'task' | 'clusters' | 'layers' | 'maxInstances'>>): void;
  setFiles(files: File[]): void;
  runProbe(): void;
  cancel(): void;
  setMetric(metric: string): void;
  selectCell(cell: { layer: number; col: number } | null): void;
  setWord(word: string): void;
  /** Fetches the cards of these merged senses from the loaded model (those not fetched yet). */
  loadCards(senses: readonly number[]): void;
  /** Applies the URL's view (on load). */
  fromUrl(u: ProbeUrl): void;
}

const runner = new TaskRunner();
/** Sense cards requested and not yet answered (so a re-render does not ask twice). */
const pendingCards = new Set<number>();

export const useProbe = create<ProbeState>((set, get) => ({
  task: 'semeval2010',
  files: [],
  clusters: 3,
  layers: 'all',
  maxInstances: 0,
  run: IDLE,
  metric: '',
  cell: null,
  word: '',
  cards: {},

  setInputs(patch) {
    set(patch);
  },
  setFiles(files) {
    set({ files });
  },

  runProbe() {
    const fail = (error: string) => set({ run: { state: 'failed', error } });
    const land = useLandscape.getState;
    const origin = byRole(land, 'origin');
    const toward = byRole(land, 'taskA');
    if (!origin || !toward) return fail('assign an origin and a task-A checkpoint first (the path of the 1D curve)');
    const s = get();
    if (s.files.length === 0)
      return fail(s.task === 'scws' ? 'drop the SCWS ratings file' : "drop the task's test XML files and its gold key");
    let layers: number[] | undefined;
    try {
      layers = parseLayers(s.layers);
    } catch (err) {
      return fail((err as Error).message);
    }
    const st = land().settings;
    const w2s = useSenses.getState().modelStatus === 'ready';
    set({ cards: {} });
    void runner.run<SensesData, PointProgress<unknown>>(
      'probe',
      (t) => set({ run: t }),
      (onProgress) =>
        compute.run(
          'lsSenses',
          {
            origin: origin.id,
            toward: toward.id,
            alphas: evenRange(st.alphaMin, st.alphaMax, st.alphaN),
            task: s.task,
            files: s.files,
            clusters: s.clusters,
            layers,
            maxInstances: s.maxInstances > 0 ? s.maxInstances : undefined,
            maxLength: st.maxLength,
            batchSize: st.batchSize,
            w2s,
            detail: true,
          },
          { onProgress },
        ),
      { partial: (p) => p.partial as SensesData },
    );
  },

  cancel() {
    runner.cancel('probe');
  },
  setMetric(metric) {
    set({ metric });
  },
  selectCell(cell) {
    set({ cell });
  },
  setWord(word) {
    set({ word });
  },
  loadCards(senses) {
    const lambda = useSenses.getState().lambda;
    for (const sense of senses) {
      if (get().cards[sense] || pendingCards.has(sense)) continue;
      pendingCards.add(sense);
      compute
        .run('w2sSense', { sense, lambda, topWords: 40 })
        .then(
          (card) => set({ cards: { ...get().cards, [sense]: card } }),
          () => {}, // the model changed or is gone: no cloud; the sense id is still shown
        )
        .finally(() => pendingCards.delete(sense));
    }
  },
  fromUrl(u) {
    set({
      task: u.probe_task,
      clusters: u.probe_k,
      layers: u.probe_layers,
      maxInstances: u.probe_max,
      metric: u.probe_metric,
      cell: u.probe_layer >= 0 && u.probe_col >= 0 ? { layer: u.probe_layer, col: u.probe_col } : null,
      word: u.probe_word,
    });
  },
}));

/** The store's view as the URL keeps it. */
export function probeUrlOf(s: ProbeState): ProbeUrl {
  return {
    probe_task: s.task,
    probe_k: s.clusters,
    probe_layers: s.layers,
    probe_max: s.maxInstances,
    probe_metric: s.metric,
    probe_layer: s.cell?.layer ?? -1,
    probe_col: s.cell?.col ?? -1,
    probe_word: s.word,
  };
}
