/**
 * AdamW's in-place update (one pass over host memory, moments held in JavaScript memory) against its
 * tensor-op form (moments as device tensors), on WASM and CPU:
 * the same float32 parameters and moments bit for bit over several steps, with weight decay on some
 * tensors only, with and without clipping — and a run of the tensor ops with another β1 differs, so
 * the comparison can fail.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../node/backend';
import { mulberry32 } from '../../util/random';
import { AdamW } from './adamw';

const NAMES = [
  'encoder.layer.0.attention.output.dense.weight',
  'encoder.layer.0.attention.output.dense.bias',
  'classifier.weight',
];
const SHAPES = [[7, 5], [5], [2, 5]];

function values(seed: number, scale: number): Float32Array[] {
  const rand = mulberry32(seed);
  return SHAPES.map((s) => Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => (rand() - 0.5) * scale));
}

/** Five updates with the tensor ops (`inPlace` false) or in place; returns parameters and moments. */
async function run(inPlace: boolean, beta1 = 0.9) {
  const opt = new AdamW(NAMES, SHAPES, { beta1 }, inPlace ? 'host' : 'device');
  let params = values(1, 2).map((v, i) => tf.keep(tf.tensor(v.slice(), SHAPES[i])));
  for (let step = 0; step < 5; step++) {
    const grads = values(10 + step, step === 2 ? 1e-9 : 3).map((v, i) => tf.keep(tf.tensor(v, SHAPES[i])));
    const clip = step % 2 === 0 ? 0.37 : 1;
    const lr = 1e-3 * (5 - step);
    if (inPlace) expect(opt.applyInPlace(params, grads, clip, lr, 0.01)).toBe(true);
    else {
      const clipped = grads.map((g) => tf.keep(clip < 1 ? tf.mul(g, clip) : g.clone()));
      const next = opt.apply(params, clipped, lr, 0.01);
      tf.dispose([...params, ...clipped]);
      params = next;
    }
    tf.dispose(grads);
  }
  const read = (ts: tf.Tensor[]) => Promise.all(ts.map(async (t) => Array.from((await t.data()) as Float32Array)));
  const { m, v } = await opt.moments();
  const out = { params: await read(params), m: m.map((x) => Array.from(x)), v: v.map((x) => Array.from(x)) };
  tf.dispose(params);
  opt.dispose();
  return out;
}

beforeAll(async () => {
  await initNodeBackend();
});

describe('AdamW.applyInPlace', () => {
  for (const backend of ['wasm', 'cpu'])
    it(`equals the tensor-op update bit for bit on ${backend}`, async () => {
      expect(await tf.setBackend(backend)).toBe(true);
      const ops = await run(false);
      const inPlace = await run(true);
      expect(inPlace).toEqual(ops);
      expect(await run(false, 0.8)).not.toEqual(ops);
    });
});

describe('AdamW moment storage', () => {
  it('holds host moments outside the backend (none of its memory) and restores them from a checkpoint', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const bytes = tf.memory().numBytes;
    const host = new AdamW(NAMES, SHAPES);
    expect(host.storage).toBe('host');
    expect(tf.memory().numBytes).toBe(bytes);
    const device = new AdamW(NAMES, SHAPES, {}, 'device');
    expect(tf.memory().numBytes).toBe(bytes + 2 * 4 * (35 + 5 + 10));
    const [m, v] = [values(3, 1), values(4, 1)];
    for (const opt of [host, device]) {
      opt.load(7, m, v);
      const got = await opt.moments();
      expect(opt.step).toBe(7);
      expect(got.m.map((x) => Array.from(x))).toEqual(m.map((x) => Array.from(x)));
      expect(got.v.map((x) => Array.from(x))).toEqual(v.map((x) => Array.from(x)));
      expect(() => opt.load(1, m.slice(1), v)).toThrow(/exp_avg\.encoder\.layer\.0\.attention\.output\.dense\.weight/);
      opt.dispose();
    }
    expect(tf.memory().numBytes).toBe(bytes);
  });
});
