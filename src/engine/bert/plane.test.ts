/**
 * Replicas on a shared plane (plane.ts) against the in-place interpolation of a model built from the
 * head (interpolate.ts), on WASM and on CPU (both host paths): at surface points with two directions
 * and the word-embedding row subset, the logits are the same float32 numbers (the plane holds θ0 and
 * θ_k − θ0 computed on the host, the same values the device subtraction gives, and both paths write
 * the point with the same axpy). On WASM the replicas run their Linears by the SIMD heap kernel on
 * PyTorch-layout weights; a replica on the XNNPACK path (a transposed-kernel layout, packed per point)
 * agrees to float32 rounding. A plane with its Linear weights in the other layout gives other logits
 * (the comparison can fail), and a layer whose Q/K/V move only in part is refused.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../node/backend';
import { disposeParamSet, subtract, uploadParams } from '../landscape/params';
import { shapesOf } from '../landscape/compat';
import { randomBatches, randomBertCheckpoint, type RandomBertShape } from '../../testing/randomBert';
import { BertClassifier } from './model';
import { halvesOf, holdAsHalf, widenHalfHeld } from './halfHold';
import { fillPlane, planeLayout } from './plane';
import { isLinearWeight } from './params';
import type { PointMover } from './interpolate';

const SHAPE: RandomBertShape = { layers: 2, hidden: 32, vocab: 400, heads: 2 };
const POINTS = [
  [0, 0],
  [1, 0],
  [0.3, -0.7],
  [2, 1.5],
];

const t1 = randomBertCheckpoint('t1', SHAPE, 21);
const origin = randomBertCheckpoint('origin', SHAPE, 22, { base: t1, noise: 0.02 });
origin.tensors.delete('classifier.weight');
origin.tensors.delete('classifier.bias');
const t2 = randomBertCheckpoint('t2', SHAPE, 23, { base: t1, noise: 0.02 });
const names = [...origin.tensors.keys()].sort();
const batches = randomBatches(SHAPE.vocab, 2, 3, 10, 7);
const rows = Int32Array.from([...new Set(batches.flatMap((b) => [...b.inputIds]))].sort((a, b) => a - b));
const sparseRows = [{ name: 'embeddings.word_embeddings.weight', rows }];
const data = (c: typeof t1) => (n: string) => c.tensors.get(n)!.data;

/** [out, in] row-major → [in, out]. */
function transposed(w: Float32Array, [rows, cols]: number[]): Float32Array {
  const t = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c];
  return t;
}

/** The plane arrays; `heapLinears` as planeLayout's (default: the backend's); `wrongLayout` for the negative control. */
function planes(opts: { heapLinears?: boolean; wrongLayout?: boolean } = {}) {
  const layout = planeLayout(shapesOf(t1), names, sparseRows, opts.heapLinears);
  const out = [origin, t1, t2].map((c, k) => {
    const p = new Float32Array(layout.floats);
    fillPlane(layout, p, data(c), k === 0 ? undefined : data(origin));
    return p;
  });
  // A wrong plane for the negative control: the Linear weights (not Q/K/V) in the other layout.
  if (opts.wrongLayout)
    for (const e of layout.entries) {
      const w = data(origin)(e.name);
      if (e.kind === 'kernel') for (const p of out) p.set(w, e.offset);
      else if (e.kind === 'small' && isLinearWeight(e.name) && !e.name.includes('attention.self'))
        for (const p of out) p.set(transposed(w, e.shape), e.offset);
    }
  return { layout, planes: out };
}

/** The logits at every point of POINTS; disposes the mover and the model. */
async function walk(model: BertClassifier, mover: PointMover): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  try {
    for (const p of POINTS) {
      mover.moveTo(p);
      out.push((await model.evaluate(batches, { keepLogits: true })).logits!);
    }
  } finally {
    mover.dispose();
    model.dispose();
  }
  return out;
}

beforeAll(async () => {
  await initNodeBackend();
});
afterAll(async () => {
  await tf.setBackend('wasm');
});

for (const backend of ['wasm', 'cpu']) {
  describe(`plane replicas on ${backend}`, () => {
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
    });

    async function reference(): Promise<Float32Array[]> {
      const model = BertClassifier.fromCheckpoint(t1);
      const base = uploadParams(origin.tensors, names);
      const ups = [t1, t2].map((c) => uploadParams(c.tensors, names));
      const dirs = ups.map((u) => subtract(u, base));
      ups.forEach(disposeParamSet);
      try {
        return await walk(model, await model.interpolator(base, dirs, names, { sparseRows }));
      } finally {
        disposeParamSet(base);
        dirs.forEach(disposeParamSet);
      }
    }

    async function onPlane(opts: Parameters<typeof planes>[0] = {}): Promise<Float32Array[]> {
      const { layout, planes: ps } = planes(opts);
      const fixed = { ...t1, tensors: new Map([...t1.tensors].filter(([n]) => !names.includes(n))) };
      const { model, mover } = BertClassifier.forPlane(fixed, layout, ps);
      return walk(model, mover);
    }

    it('gives the in-place interpolation’s logits bit for bit at surface points, with no tensors left', async () => {
      const want = await reference();
      const before = tf.memory().numTensors;
      const got = await onPlane();
      expect(tf.memory().numTensors).toBe(before);
      got.forEach((g, k) => expect(g, `point ${POINTS[k]}`).toEqual(want[k]));
      expect(got[0]).not.toEqual(got[3]);
    });

    it('a plane with its Linear weights in the other layout gives other logits', async () => {
      const want = await reference();
      const got = await onPlane({ wrongLayout: true });
      expect(got[2]).not.toEqual(want[2]);
    });

    if (backend === 'wasm')
      it('a replica on the XNNPACK path (transposed kernels packed per point) agrees to float32 rounding', async () => {
        const want = await reference();
        expect(planeLayout(shapesOf(t1), names, sparseRows).heapLinears).toBe(true);
        const got = await onPlane({ heapLinears: false });
        got.forEach((g, k) =>
          g.forEach((v, i) =>
            expect(Math.abs(v - want[k][i]), `point ${POINTS[k]}`).toBeLessThan(1e-5 * (1 + Math.abs(v))),
          ),
        );
        expect(got[0]).not.toEqual(got[3]);
      });
  });
}

describe('planeLayout', () => {
  it('refuses a layer whose Q/K/V parameters move only in part (fused kernels), naming it', () => {
    const part = names.filter((n) => n !== 'encoder.layer.1.attention.self.key.bias');
    expect(() => planeLayout(shapesOf(t1), part, [], false)).toThrow(
      /encoder\.layer\.1\.attention\.self moves only in part/,
    );
  });

  it('stores Linear weights as stored for the heap Linears', () => {
    const layout = planeLayout(shapesOf(t1), names, sparseRows, true);
    const p = new Float32Array(layout.floats);
    fillPlane(layout, p, data(origin));
    for (const name of ['encoder.layer.0.output.dense.weight', 'encoder.layer.1.attention.self.key.weight']) {
      const e = layout.entries.find((x) => x.name === name)!;
      expect(e.kind).toBe('small');
      expect(p.subarray(e.offset, e.offset + e.length)).toEqual(data(origin)(name));
    }
  });

  it('packs the used embedding rows and stores Linear weights as [in, out] for tfjs kernels', () => {
    const layout = planeLayout(shapesOf(t1), names, sparseRows, false);
    const word = layout.entries.find((e) => e.name === 'embeddings.word_embeddings.weight')!;
    expect(word.length).toBe(rows.length * SHAPE.hidden);
    const p = new Float32Array(layout.floats);
    fillPlane(layout, p, data(origin));
    const w = origin.tensors.get('encoder.layer.0.output.dense.weight')!;
    const e = layout.entries.find((x) => x.name === 'encoder.layer.0.output.dense.weight')!;
    const [out, inn] = w.shape;
    expect(e.kind).toBe('kernel');
    // element [o, i] of the PyTorch layout is at [i, o] of the plane
    expect(p[e.offset + 3 * out + 5]).toBe(w.data[5 * inn + 3]);
    expect(p[word.offset + 2 * SHAPE.hidden + 1]).toBe(
      data(origin)('embeddings.word_embeddings.weight')[rows[2] * SHAPE.hidden + 1],
    );
  });
});

describe('a plane from checkpoints held as F16', () => {
  it('reads the halves and equals the plane of the widened F32 values, bit for bit', () => {
    const held = [origin, t1, t2].map((c) => widenHalfHeld(holdAsHalf(c)));
    const wide = held.map((c) => ({
      ...c,
      tensors: new Map([...c.tensors].map(([n, t]) => [n, { shape: t.shape, data: Float32Array.from(t.data) }])),
    }));
    expect(halvesOf(held[0].tensors.get(names[0])!)).toBeInstanceOf(Uint16Array);
    expect(halvesOf(wide[0].tensors.get(names[0])!)).toBeUndefined();
    const layout = planeLayout(shapesOf(t1), names, sparseRows, false);
    const halfData = (c: (typeof held)[number]) => (n: string) => halvesOf(c.tensors.get(n)!)!;
    const build = (read: (c: (typeof held)[number]) => (n: string) => Float32Array | Uint16Array, cs: typeof held) =>
      cs.map((c, k) => {
        const p = new Float32Array(layout.floats);
        fillPlane(layout, p, read(c), k === 0 ? undefined : read(cs[0]));
        return p;
      });
    const fromHalves = build(halfData, held);
    const fromWide = build(data, wide);
    fromHalves.forEach((p, k) => expect(p).toEqual(fromWide[k]));
    expect(fromWide[1]).not.toEqual(planes({ heapLinears: false }).planes[1]); // rounding to F16 changed the direction
  });
});
