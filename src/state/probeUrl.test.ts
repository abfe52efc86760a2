/** The probe's URL keys: merged into a hash without touching other keys, parsed back, clamped. */
import { describe, expect, it } from 'vitest';
import { mergeProbeHash, parseLayers, PROBE_URL, type ProbeUrl } from './probeUrl';
import { parseHash } from './urlState';

const view: ProbeUrl = {
  probe_task: 'semeval2013',
  probe_k: 4,
  probe_layers: '0,2',
  probe_max: 20,
  probe_metric: 'fuzzy_nmi',
  probe_layer: 2,
  probe_col: 1,
  probe_word: 'bank.n',
};

describe('probe URL state', () => {
  it('round-trips through the hash and keeps the other keys', () => {
    const hash = mergeProbeHash('#view=landscapes&other=x&probe_word=old', view);
    const params = new URLSearchParams(hash);
    expect(params.get('view')).toBe('landscapes');
    expect(params.get('other')).toBe('x');
    expect(parseHash(PROBE_URL, hash)).toEqual(view);
  });

  it('leaves defaults out and clamps a hand-edited link', () => {
    const defaults = parseHash(PROBE_URL, '');
    expect(mergeProbeHash('view=landscapes', defaults)).toBe('view=landscapes');
    const h = parseHash(PROBE_URL, 'probe_k=0&probe_task=nope&probe_col=-5');
    expect(h.probe_k).toBe(1);
    expect(h.probe_task).toBe('semeval2010');
    expect(h.probe_col).toBe(-1);
  });

  it('parses layers', () => {
    expect(parseLayers('all')).toBeUndefined();
    expect(parseLayers(' 0, 2 ')).toEqual([0, 2]);
    expect(() => parseLayers('0,x')).toThrow(/'x'/);
  });
});
