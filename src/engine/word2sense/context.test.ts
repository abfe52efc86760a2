/**
 * WordCtx2Sense on a planted model (the right sense is known from the context) and against a numpy
 * transcription of the authors' Infer.py (tests/fixtures/wsi/context.json, tools/wsi/make_context_fixtures.py);
 * complete linkage against sklearn.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  argmaxSense,
  contextTokens,
  contextWeights,
  initialSenseWeights,
  projectToMerged,
  wordCtx2Sense,
} from './context';
import type { Word2SenseModel } from './model';
import { bankIndex, bankModel, beta, plantedModel, theta, vocab } from '../../testing/contextPlanted';
import { completeLinkage } from './wsiLinkage';

const model = bankModel;
const index = bankIndex;

describe('WordCtx2Sense on a planted model', () => {
  it('picks the finance sense near money words and the river sense near water words', () => {
    const money = wordCtx2Sense(
      model,
      index,
      'bank',
      contextTokens('She made a deposit of money at the bank to repay the loan.'),
    );
    const river = wordCtx2Sense(
      model,
      index,
      'bank',
      contextTokens('The fish swam near the shore where the river bank meets the water.'),
    );
    expect(money.converged && river.converged).toBe(true);
    expect(argmaxSense(money.psi)).toBe(0);
    expect(argmaxSense(river.psi)).toBe(1);
    // The context moves mass away from the context-free start, in opposite directions.
    expect(money.psi[0]).toBeGreaterThan(money.psi0[0]);
    expect(river.psi[1]).toBeGreaterThan(river.psi0[1]);
    for (const r of [money, river]) expect(r.psi.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('keeps ψ on ψ⁰’s support and stays near ψ⁰ when λ is large', () => {
    const tokens = contextTokens('deposit money loan bank');
    const top2 = wordCtx2Sense(model, index, 'bank', tokens, { topSenses: 2 });
    const outside = [0, 1, 2].filter((z) => top2.psi0[z] === 0);
    expect(outside.length).toBe(1);
    for (const z of outside) expect(top2.psi[z]).toBe(0);
    const stiff = wordCtx2Sense(model, index, 'bank', tokens, { lambda: 1e3 });
    const loose = wordCtx2Sense(model, index, 'bank', tokens, { lambda: 0 });
    const dist = (p: Float64Array, q: Float64Array) => p.reduce((a, x, i) => a + Math.abs(x - q[i]), 0);
    expect(dist(stiff.psi, stiff.psi0)).toBeLessThan(dist(loose.psi, loose.psi0));
  });

  it('weights context words by a/(a+p(v)) and normalises them', () => {
    const c = contextWeights(model, index, ['the', 'money', 'money', 'unknownword']);
    expect(Array.from(c.ids)).toEqual([8, 1]);
    const a = 0.0012;
    const wThe = a / (a + model.pWord[8]);
    const wMoney = (2 * a) / (a + model.pWord[1]);
    expect(c.weights[0]).toBeCloseTo(wThe / (wThe + wMoney), 12);
    expect(c.weights[0] + c.weights[1]).toBeCloseTo(1, 12);
  });

  it('doubles L after an overflow and returns ψ⁰ when every run diverges', () => {
    const tokens = contextTokens('deposit money loan bank');
    const doubled = wordCtx2Sense(model, index, 'bank', tokens, { lipschitz: 1e-5 });
    expect(doubled.converged).toBe(true);
    expect(doubled.runs).toBeGreaterThan(1);
    expect(doubled.lipschitz).toBeCloseTo(1e-5 * 2 ** (doubled.runs - 1), 12);
    const gaveUp = wordCtx2Sense(model, index, 'bank', tokens, { lipschitz: 1e-9, restarts: 2 });
    expect(gaveUp.converged).toBe(false);
    expect(Array.from(gaveUp.psi)).toEqual(Array.from(gaveUp.psi0));
  });

  it('uses a uniform start for an unknown word and projects to merged senses by p_D', () => {
    const r = wordCtx2Sense(model, index, 'zzz', contextTokens('money deposit'));
    expect(r.oov).toBe(true);
    expect(Array.from(r.psi0)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    const merged = plantedModel(vocab, beta, theta, [50, 30, 20, 20, 30, 40, 10, 20, 400, 300], [0, 0, 1]);
    const p = projectToMerged(merged, [0.2, 0.3, 0.5]);
    const pD = [merged.pSense[0] + merged.pSense[1], merged.pSense[2]];
    const raw = [0.5 / pD[0], 0.5 / pD[1]];
    expect(p[0]).toBeCloseTo(raw[0] / (raw[0] + raw[1]), 6);
    expect(p[0] + p[1]).toBeCloseTo(1, 12);
  });
});

interface CtxFx {
  K: number;
  V: number;
  beta: number[];
  theta: number[];
  pWord: number[];
  pSense: number[];
  cases: {
    word: number | null;
    context: number[];
    lambda: number;
    topSenses: number;
    lipschitz: number;
    psi0: number[];
    psi: number[];
    converged: boolean;
    lipschitzUsed: number;
  }[];
  linkage: { distances: number[][]; k: number; labels: number[] }[];
}

describe('against the authors’ Infer.py (numpy transcription) and sklearn', () => {
  const fx = JSON.parse(readFileSync(resolve(__dirname, '../../../tests/fixtures/wsi/context.json'), 'utf8')) as CtxFx;
  const vocabR = Array.from({ length: fx.V }, (_, i) => `w${i}`);
  const m: Word2SenseModel = {
    vocab: vocabR,
    wordCounts: vocabR.map(() => 1),
    V: fx.V,
    K: fx.K,
    Kmerged: fx.K,
    beta: Float32Array.from(fx.beta),
    theta: Float32Array.from(fx.theta),
    pWord: Float32Array.from(fx.pWord),
    pSense: Float32Array.from(fx.pSense),
    merge: Int32Array.from({ length: fx.K }, (_, i) => i),
    embedding: { indptr: new Int32Array(fx.V + 1), indices: new Int32Array(0), values: new Float32Array(0) },
    hyperparameters: {},
  };
  const idx = new Map(vocabR.map((w, i) => [w, i]));

  it('ψ⁰ and ψ match to 1e-9, including a run where L doubles', () => {
    for (const c of fx.cases) {
      const word = c.word === null ? 'not-in-vocab' : `w${c.word}`;
      const r = wordCtx2Sense(
        m,
        idx,
        word,
        c.context.map((v) => `w${v}`),
        { lambda: c.lambda, topSenses: c.topSenses, lipschitz: c.lipschitz },
      );
      const psi0 = initialSenseWeights(m, c.word ?? undefined, c.topSenses);
      for (let z = 0; z < fx.K; z++) {
        expect(Math.abs(psi0[z] - c.psi0[z])).toBeLessThan(1e-9);
        expect(Math.abs(r.psi[z] - c.psi[z])).toBeLessThan(1e-9);
      }
      expect(r.converged).toBe(c.converged);
      expect(r.lipschitz).toBeCloseTo(c.lipschitzUsed, 12);
    }
  });

  it('complete linkage gives sklearn’s partitions', () => {
    for (const l of fx.linkage) {
      const n = l.distances.length;
      const ours = completeLinkage(l.distances.flat(), n, l.k);
      // Same partition: a bijection between label sets.
      const pairs = new Set(l.labels.map((x, i) => `${x}:${ours[i]}`));
      expect(pairs.size).toBe(new Set(l.labels).size);
      expect(new Set(ours).size).toBe(new Set(l.labels).size);
    }
  });
});
