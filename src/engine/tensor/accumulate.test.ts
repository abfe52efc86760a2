/**
 * In-place accumulation on WASM and CPU: the running sum equals `tf.add`'s bit for bit, is written
 * into the accumulator's own tensors (no new tensor, the addend's memory freed), and a list in which
 * two entries share one buffer is made safe to write first. On the CPU backend the negative control
 * shows why: writing one of two entries that share a buffer changes the other.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../node/backend';
import { mulberry32 } from '../util/random';
import { accumulateInto, ownedList } from './accumulate';
import { hostView } from './inPlace';

const SHAPES = [[33, 7], [7], [1]];

function list(seed: number): tf.Tensor[] {
  const rand = mulberry32(seed);
  return SHAPES.map((s) =>
    tf.keep(
      tf.tensor(
        Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => (rand() - 0.5) * 1e3),
        s,
      ),
    ),
  );
}

beforeAll(async () => {
  await initNodeBackend();
});

describe('accumulateInto', () => {
  for (const backend of ['wasm', 'cpu'])
    it(`sums in place, bit for bit as tf.add, on ${backend}`, async () => {
      expect(await tf.setBackend(backend)).toBe(true);
      const parts = [list(1), list(2), list(3)];
      const expected = await Promise.all(
        SHAPES.map((_, i) => tf.tidy(() => tf.add(tf.add(parts[0][i], parts[1][i]), parts[2][i])).data()),
      );
      const first = parts[0];
      let acc = accumulateInto([], first);
      expect(acc).toEqual(first);
      const bytes = tf.memory().numBytes;
      const perList = SHAPES.reduce((a, s) => a + 4 * s.reduce((x, y) => x * y, 1), 0);
      acc = accumulateInto(acc, parts[1]);
      acc = accumulateInto(acc, parts[2]);
      expect(acc.every((t, i) => t === first[i])).toBe(true); // the same tensors, written in place
      expect(tf.memory().numBytes).toBe(bytes - 2 * perList); // the addends were freed, nothing new held
      expect(parts[1].every((t) => t.isDisposed)).toBe(true);
      const got = await Promise.all(acc.map((t) => t.data()));
      got.forEach((g, i) => expect(Array.from(g)).toEqual(Array.from(expected[i])));
      tf.dispose(acc);
    });

  it('copies an entry that shares its buffer with an earlier one before anything is written', async () => {
    expect(await tf.setBackend('cpu')).toBe(true);
    const a = tf.keep(tf.tensor([1, 2, 3]));
    const alias = tf.keep(tf.reshape(a, [3])); // same data id, as autodiff may hand back
    expect(alias.dataId).toBe(a.dataId);
    hostView(alias)![0] = 10; // the negative control: a write through one shows in the other
    expect(Array.from(await a.data())).toEqual([10, 2, 3]);
    const [x, y] = ownedList([a, tf.keep(tf.reshape(a, [3]))]);
    expect(y.dataId).not.toBe(x.dataId);
    hostView(y)![1] = 20;
    expect(Array.from(await x.data())).toEqual([10, 2, 3]);
    expect(Array.from(await y.data())).toEqual([10, 20, 3]);
    tf.dispose([x, y, alias]);
  });

  it('the same tensor object twice: the first entry keeps it alive, the second gets a copy', async () => {
    expect(await tf.setBackend('cpu')).toBe(true);
    const a = tf.keep(tf.tensor([1, 2, 3]));
    const [x, y] = ownedList([a, a]);
    expect(x).toBe(a);
    expect(x.isDisposed).toBe(false);
    expect(y.dataId).not.toBe(x.dataId);
    hostView(y)![0] = 7;
    expect(Array.from(await x.data())).toEqual([1, 2, 3]);
    tf.dispose([x, y]);
  });
});
