/**
 * The sense probe's part of the URL hash (DESIGN.md "Typed URL state"): task, K, layers, max
 * instances, metric, selected cell and target word, written beside the shell's `view` and other
 * panels' keys without touching them; and the layers text the probe's input takes.
 */
import { formatHash, param, type StateOf } from './urlState';

export const PROBE_TASKS = ['semeval2010', 'semeval2013', 'scws'] as const;
export type ProbeTask = (typeof PROBE_TASKS)[number];

/** The probe's part of the URL hash (beside `view=landscapes` and other panels' keys). */
export const PROBE_URL = {
  probe_task: param.oneOf(PROBE_TASKS, 'semeval2010'),
  probe_k: param.int(3, 1, 50),
  probe_layers: param.string('all', 100),
  probe_max: param.int(0, 0, 1_000_000),
  probe_metric: param.string('', 40),
  /** Selected cell: layer value and column (α index); -1 = none. */
  probe_layer: param.int(-1, -1, 1000),
  probe_col: param.int(-1, -1, 1000),
  probe_word: param.string('', 100),
};
export type ProbeUrl = StateOf<typeof PROBE_URL>;

/** `all` → every layer; `0, 2` → [0, 2]; throws naming a bad entry. */
export function parseLayers(text: string): number[] | undefined {
  const t = text.trim();
  if (t === '' || t === 'all') return undefined;
  return t.split(',').map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n < 0) throw new Error(`layers: '${s.trim()}' is not a layer number (0 = embeddings)`);
    return n;
  });
}

/**
 * The hash with the probe's keys replaced by `u` (defaults left out), every other key kept — the
 * shell's `view` and other panels' keys live in the same hash.
 */
export function mergeProbeHash(hash: string, u: ProbeUrl): string {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  for (const key of Object.keys(PROBE_URL)) params.delete(key);
  const mine = new URLSearchParams(formatHash(PROBE_URL, u));
  for (const [key, value] of mine) if (key !== 'v' || !params.has('v')) params.set(key, value);
  return params.toString();
}
