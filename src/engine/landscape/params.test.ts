import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../node/backend';
import { combine, cosine, disposeParamSet, dot, dots, norm, subtract, uploadParams } from './params';
import { standInTensors } from '../../testing/landscape';

beforeAll(async () => {
  await initNodeBackend();
});

const host = (seed: number) => standInTensors(seed, 3, 5, 2);

function flat(m: Map<string, { data: Float32Array }>, names: string[]): number[] {
  return names.flatMap((n) => [...m.get(n)!.data]);
}

describe('parameter-space algebra', () => {
  it('combine computes base + Σ c_k d_k per tensor, on the device, matching float64 JS', async () => {
    const [a, b, c] = [host(1), host(2), host(3)];
    const A = uploadParams(a);
    const B = uploadParams(b);
    const C = uploadParams(c);
    const out = combine(A, [B, C], [0.75, -1.5]);
    for (const [name, t] of out) {
      const got = await t.data();
      const want = a.get(name)!.data.map((v, i) => v + 0.75 * b.get(name)!.data[i] - 1.5 * c.get(name)!.data[i]);
      got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    }
    // Only the names asked for; a missing direction contributes zero.
    const partial = new Map([...C].slice(0, 1));
    const only = combine(A, [partial], [2], ['embeddings.w']);
    expect([...only.keys()]).toEqual(['embeddings.w']);
    const got = await only.get('embeddings.w')!.data();
    expect([...got]).toEqual([...(await A.get('embeddings.w')!.data())]);
    for (const s of [A, B, C, out, only]) disposeParamSet(s);
  });

  it('dot, norm and cosine agree with float64 sums over the chosen names', async () => {
    const [a, b] = [host(4), host(5)];
    const A = uploadParams(a);
    const B = uploadParams(b);
    const names = ['embeddings.w', 'encoder.layer.0.w'];
    const x = flat(a, names);
    const y = flat(b, names);
    const xy = x.reduce((s, v, i) => s + v * y[i], 0);
    const xx = x.reduce((s, v) => s + v * v, 0);
    const yy = y.reduce((s, v) => s + v * v, 0);
    expect(await dot(A, B, names)).toBeCloseTo(xy, 4);
    expect(await norm(A, names)).toBeCloseTo(Math.sqrt(xx), 4);
    expect(await cosine(A, B, names)).toBeCloseTo(xy / Math.sqrt(xx * yy), 5);
    const [p, q] = await dots(
      [
        [A, A],
        [B, B],
      ],
      names,
    );
    expect(p).toBeCloseTo(xx, 4);
    expect(q).toBeCloseTo(yy, 4);
    const D = subtract(A, B, names);
    expect(await norm(D, names)).toBeCloseTo(Math.sqrt(x.reduce((s, v, i) => s + (v - y[i]) ** 2, 0)), 4);
    for (const s of [A, B, D]) disposeParamSet(s);
  });

  it('does not leak tensors across repeated calls', async () => {
    const A = uploadParams(host(6));
    const B = uploadParams(host(7));
    const names = [...A.keys()];
    const round = async () => {
      const c = combine(A, [B], [0.3]);
      disposeParamSet(c);
      await cosine(A, B, names);
      const d = subtract(A, B);
      disposeParamSet(d);
    };
    await round();
    const before = tf.memory().numTensors;
    for (let k = 0; k < 3; k++) await round();
    expect(tf.memory().numTensors).toBe(before);
    disposeParamSet(A);
    disposeParamSet(B);
  });

  it('uploadParams names the missing tensor', () => {
    expect(() => uploadParams(host(1), ['nope'], 'ckpt-x')).toThrow(/ckpt-x: tensor nope is missing/);
  });
});
