/**
 * The sense probe's contextual vectors against tools/bert/senses_reference.py (PyTorch, HF's
 * BertModel line by line): the tiny landscape fixtures at θ(α), α ∈ {0, 0.5, 1}, every layer, mean
 * over the target's sub-tokens, to 1e-5 relative per layer (max |diff| / max |ref|), on WASM and CPU
 * (host-attention speed path) and on the tfjs-op device path (layers requested out of order);
 * and our tokenisation + window reproduces the reference input ids and target spans.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedCheckpoint } from '../bert/checkpoint';
import { BertClassifier } from '../bert/model';
import { initNodeBackend } from '../node/backend';
import { checkpointFiles, loadCheckpointDir } from '../node/checkpoint';
import { BertTokenizer } from '../text/bertTokenizer';
import { moveTo } from './model';
import { loadOriginCheckpoint } from './originCheckpoint';
import { disposeParamSet } from './params';
import { encodeSenseBatches, encodeSenseInstance, type SenseInstance } from './senseData';
import { computeSenseVectors } from './senseVectors';
import { LandscapeSession } from './session';

const FIX = 'tests/fixtures/landscape';
interface Ref {
  max_length: number;
  instances: (SenseInstance & { input_ids: number[]; start: number; end: number })[];
  points: { alpha: number; layers: number[][][] }[];
}
const ref = JSON.parse(readFileSync(`${FIX}/senses/hidden.json`, 'utf8')) as Ref;

let origin: LoadedCheckpoint;
let toward: LoadedCheckpoint;
let tok: BertTokenizer;

beforeAll(async () => {
  await initNodeBackend();
  origin = await loadOriginCheckpoint(await checkpointFiles(`${FIX}/origin`), 'origin');
  toward = await loadCheckpointDir(`${FIX}/ft-a`);
  tok = new BertTokenizer(toward.vocab!, { doLowerCase: true });
});

afterAll(async () => {
  await tf.setBackend('wasm');
});

describe('sense instances', () => {
  it('tokenisation and the window around the target reproduce the reference ids and spans', () => {
    for (const inst of ref.instances) {
      const e = encodeSenseInstance(inst, tok, ref.max_length);
      expect(e.ids, inst.id).toEqual(inst.input_ids);
      expect([e.start, e.end], inst.id).toEqual([inst.start, inst.end]);
    }
  });
});

/** max |a − ref| / max |ref| over one layer. */
function relErr(got: Float32Array, want: number[]): number {
  let maxDiff = 0;
  let maxRef = 0;
  want.forEach((w, i) => {
    maxDiff = Math.max(maxDiff, Math.abs(got[i] - w));
    maxRef = Math.max(maxRef, Math.abs(w));
  });
  return maxDiff / maxRef;
}

describe('hidden states on the device path (tfjs ops, as on WebGL/WebGPU)', () => {
  it('θ1 loaded directly, without the host-attention path: equal PyTorch to 1e-5 relative per layer', async () => {
    await tf.setBackend('wasm');
    const model = BertClassifier.fromCheckpoint(toward, { hostAssist: false });
    try {
      const batches = encodeSenseBatches(ref.instances, tok, { maxLength: ref.max_length, batchSize: 3 });
      const p = ref.points.find((q) => q.alpha === 1)!;
      const layers = [2, 0, 1];
      const v = await computeSenseVectors(model, batches, layers);
      layers.forEach((l, li) => expect(relErr(v.byLayer[li], p.layers[l].flat()), `layer ${l}`).toBeLessThan(1e-5));
    } finally {
      model.dispose();
    }
  });
});

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`hidden states on ${backend} (host-attention speed path)`, () => {
    it('equal PyTorch to 1e-5 relative per layer at every α, in batches of 4', async () => {
      expect(await tf.setBackend(backend)).toBe(true);
      const session = LandscapeSession.open(origin, toward, [{ role: 'toward', ckpt: toward }]);
      const delta = session.directionTo(toward);
      const before = tf.memory().numTensors;
      try {
        const batches = encodeSenseBatches(ref.instances, tok, { maxLength: ref.max_length, batchSize: 4 });
        const L = toward.config.numHiddenLayers;
        const layers = Array.from({ length: L + 1 }, (_, l) => l);
        for (const p of ref.points) {
          moveTo(session.model, session.origin, [delta], [p.alpha], session.names);
          const v = await computeSenseVectors(session.model, batches, layers);
          for (const l of layers) {
            expect(relErr(v.byLayer[l], p.layers[l].flat()), `α=${p.alpha} layer ${l}`).toBeLessThan(1e-5);
          }
        }
        expect(tf.memory().numTensors).toBe(before);
      } finally {
        disposeParamSet(delta);
        session.dispose();
      }
    });
  });
}
