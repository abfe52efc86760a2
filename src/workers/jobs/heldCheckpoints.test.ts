// The worker's held checkpoints: F16 on request (half the bytes), widened for an analysis and shared
// while referenced, shapes without widening, and back to F32 — re-read from the files when rounded.
import { describe, expect, it } from 'vitest';
import type { LoadedCheckpoint } from '../../engine/bert/checkpoint';
import { checkpoint, checkpointShapes, forgetCheckpoint, holdCheckpoint, keepCheckpoint } from './heldCheckpoints';

function ckptOf(values: number[]): LoadedCheckpoint {
  return {
    name: 'c',
    config: { hiddenSize: 2 } as LoadedCheckpoint['config'],
    tensors: new Map([['w', { shape: [2, values.length / 2], data: Float32Array.from(values) }]]),
    weightFiles: [],
    sha256: 's',
    dtype: 'F32',
    tensorDtypes: new Map(),
  };
}

describe('held checkpoints', () => {
  it('F16 hold: half the bytes, widened values, one copy while referenced, shapes without widening', async () => {
    let reads = 0;
    const values = [0.1, 0.2, 0.5, 4];
    const hold = keepCheckpoint('a', ckptOf(values), async () => (reads++, ckptOf(values)), 'F16');
    expect(hold).toMatchObject({ dtype: 'F16', bytes: 8, rounded: true });
    const w = checkpoint('a', 'origin');
    expect(Array.from(w.tensors.get('w')!.data)).toEqual([0.0999755859375, 0.199951171875, 0.5, 4]);
    expect(checkpoint('a', 'head')).toBe(w);
    expect(checkpointShapes('a', 'origin').tensors.get('w')!.shape).toEqual([2, 2]);
    const back = await holdCheckpoint('a', 'F32');
    expect(back).toEqual({ dtype: 'F32', bytes: 16, rounded: false, relativeChange: 0 });
    expect(reads).toBe(1);
    expect(Array.from(checkpoint('a', 'origin').tensors.get('w')!.data)).toEqual(Array.from(Float32Array.from(values)));
    expect(forgetCheckpoint('a')).toBe(true);
    expect(() => checkpoint('a', 'origin')).toThrow(/origin: checkpoint a is not loaded/);
  });

  it('an exactly held F16 checkpoint goes back to F32 without re-reading the files', async () => {
    let reads = 0;
    const hold = keepCheckpoint('b', ckptOf([0.5, 1, 2, -8]), async () => (reads++, ckptOf([0, 0, 0, 0])), 'F32');
    expect(hold).toEqual({ dtype: 'F32', bytes: 16, rounded: false, relativeChange: 0 });
    expect(await holdCheckpoint('b', 'F16')).toEqual({ dtype: 'F16', bytes: 8, rounded: false, relativeChange: 0 });
    await holdCheckpoint('b', 'F32');
    expect(reads).toBe(0);
    expect(Array.from(checkpoint('b', 'x').tensors.get('w')!.data)).toEqual([0.5, 1, 2, -8]);
    forgetCheckpoint('b');
  });
});
