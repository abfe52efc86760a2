import { describe, expect, it } from 'vitest';
import {
  countComputed,
  createSurface,
  isComplete,
  mergeSurfaces,
  parseSurface,
  serializeSurface,
  setPoint,
  specDifference,
  checkResumable,
} from './surfaceFile';
import { demoSpec } from '../../testing/landscape';

describe('surface file', () => {
  it('round-trips through JSON, with null for missing points and strings for diverged ones', () => {
    const f = createSurface(demoSpec());
    expect(f.x).toEqual([-1, 0, 1]);
    expect(f.y).toEqual([0, 2]);
    setPoint(f, 0, 0, 0.5, 0.75);
    setPoint(f, 2, 1, Number.NaN, 0.5);
    setPoint(f, 1, 1, Number.POSITIVE_INFINITY, 0);
    const text = serializeSurface(f, 2);
    expect(text).toContain('"NaN"');
    const back = parseSurface(text, 's.json');
    expect(back.values.loss[0][0]).toBe(0.5);
    expect(back.values.loss[1][2]).toBeNaN();
    expect(back.values.loss[1][1]).toBe(Number.POSITIVE_INFINITY);
    expect(back.values.loss[0][1]).toBeNull();
    expect(countComputed(back)).toBe(3);
    expect(isComplete(back)).toBe(false);
    expect(parseSurface(serializeSurface(back), 's.json')).toEqual(back);
  });

  it('rejects malformed files with one line naming the part', () => {
    const good = JSON.parse(serializeSurface(createSurface(demoSpec())));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- mutating arbitrary JSON
    const bad = (mut: (d: any) => void) => {
      const d = structuredClone(good);
      mut(d);
      return () => parseSurface(JSON.stringify(d), 'bad.json');
    };
    expect(() => parseSurface('{', 'bad.json')).toThrow(/^bad\.json: not JSON/);
    expect(bad((d) => (d.format = 'x'))).toThrow(/bad\.json: format/);
    expect(bad((d) => (d.values.loss = d.values.loss.slice(1)))).toThrow(/values\.loss must have 2 rows/);
    expect(bad((d) => (d.values.loss[0] = [1, 2]))).toThrow(/values\.loss\[0\] must have 3 values/);
    expect(bad((d) => (d.values.loss[0][0] = 'x'))).toThrow(/values\.loss\[0\]\[0\]/);
    expect(bad((d) => (d.values.loss[0][0] = 1))).toThrow(/loss without accuracy/);
    expect(bad((d) => (d.spec.y.normalize = 'rows'))).toThrow(/spec\.y\.normalize/);
    expect(bad((d) => (d.x = [0, 1]))).toThrow(/^bad\.json: x must be 3/);
    for (const b of [bad((d) => (d.format = 'x'))]) {
      try {
        b();
      } catch (e) {
        expect(String((e as Error).message)).not.toContain('\n');
      }
    }
  });

  it('merges shards with the same spec and refuses different specs with the differing field', () => {
    const a = createSurface(demoSpec());
    const b = createSurface(demoSpec());
    setPoint(a, 0, 0, 1, 0.5);
    setPoint(b, 1, 0, 2, 0.25);
    setPoint(b, 0, 0, 1 + 1e-9, 0.5); // same point, same value within tolerance
    const m = mergeSurfaces([
      { name: 'a.json', file: a },
      { name: 'b.json', file: b },
    ]);
    expect(m.values.loss[0].slice(0, 2)).toEqual([1, 2]);
    expect(m.provenance?.mergedFrom).toEqual(['a.json', 'b.json']);
    const other = createSurface(demoSpec({ data: { ...demoSpec().data, sha256: 'd'.repeat(64) } }));
    expect(() =>
      mergeSurfaces([
        { name: 'a.json', file: a },
        { name: 'c.json', file: other },
      ]),
    ).toThrow(/c\.json: cannot merge with a\.json, specs differ: spec\.data\.sha256/);
    const seed = createSurface(demoSpec({ y: { kind: 'random', seed: 8, normalize: 'filter', ignore: 'bias-ln' } }));
    expect(() =>
      mergeSurfaces([
        { name: 'a.json', file: a },
        { name: 's.json', file: seed },
      ]),
    ).toThrow(/spec\.y\.seed \(7 vs 8\)/);
    const conflict = createSurface(demoSpec());
    setPoint(conflict, 0, 0, 1.5, 0.5);
    expect(() =>
      mergeSurfaces([
        { name: 'a.json', file: a },
        { name: 'k.json', file: conflict },
      ]),
    ).toThrow(/k\.json: point \(x=-1, y=0\) has loss 1\.5/);
  });

  it('resume checks the spec but not the software version', () => {
    const f = createSurface(demoSpec());
    expect(() => checkResumable(f, demoSpec({ software: 'sensescape 9.9.9' }), 'p.json')).not.toThrow();
    expect(() =>
      checkResumable(f, demoSpec({ grid: { x: { min: -1, max: 1, n: 5 }, y: { min: 0, max: 2, n: 2 } } }), 'p.json'),
    ).toThrow(/p\.json: cannot resume.*spec\.grid\.x\.n \(3 vs 5\)/);
    expect(specDifference({ a: 1 }, { a: 1, b: 2 })).toBe('spec.b (absent vs 2)');
  });
});
