/**
 * The sparse E-step (ldaSparseEStep.ts on both kernel sets) against a dense float64 E-step written
 * here — on random CSR matrices of several densities with an empty row and a row of one non-zero —
 * and the sparse engine against the dense tfjs engine end to end (same perplexities per iteration).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../node/backend';
import { isSoftwareGpu, type AdapterSummary } from '../tensor/backend';
import { fromTriples, type CsrCounts } from '../text/csr';
import { mulberry32 } from '../util/random';
import { plantedCounts } from '../../testing/planted';
import { chooseEngine, fitLda } from './lda';
import { SparseEStep, sparseArena } from './ldaSparseEStep';
import { digammaScalar, gammaSamples } from './special';
import { sparseKernels } from './sparseKernels';

beforeAll(async () => {
  await initNodeBackend();
});

/** D×V counts with about `density` of the cells non-zero; row 0 empty, row 1 one non-zero. */
function randomCsr(D: number, V: number, density: number, seed: number): CsrCounts {
  const rand = mulberry32(seed);
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  for (let d = 2; d < D; d++)
    for (let j = 0; j < V; j++)
      if (rand() < density) {
        r.push(d);
        c.push(j);
        v.push(1 + Math.floor(rand() * 6));
      }
  r.push(1);
  c.push(Math.floor(rand() * V));
  v.push(3);
  return fromTriples(D, V, r, c, v);
}

/** exp(ψ(x) − ψ(Σx)) in float64. */
function expElog64(x: Float64Array): Float64Array {
  const ds = digammaScalar(x.reduce((a, b) => a + b, 0));
  return x.map((xi) => Math.exp(digammaScalar(xi) - ds) + 1e-30);
}

/** Dense float64 round for one document's dense row C [V]: γ ↦ α/K + θ̃ ⊙ ((C / θ̃β̃) β̃ᵀ); β̃ [K][V]. */
function denseRound(g: Float64Array, C: Float64Array, bt: Float64Array[], alphaK: number): Float64Array {
  const K = g.length;
  const th = expElog64(g);
  const acc = new Float64Array(K);
  for (let c = 0; c < C.length; c++) {
    let x = 0;
    for (let k = 0; k < K; k++) x += th[k] * bt[k][c];
    const q = C[c] / Math.max(x, 1e-30); // zero cells give q = 0: the dense product over every cell
    for (let k = 0; k < K; k++) acc[k] += q * bt[k][c];
  }
  return th.map((t, k) => alphaK + t * acc[k]);
}

/**
 * The dense float64 E-step: plain rounds, or SQUAREM steps (log γ, a = −clip(‖r‖/‖v‖, 1, 8), the jump's
 * excess over α/K rescaled to n_d, then one round), until ‖Δγ‖₁/‖γ‖₁ < 1e-12. SQUAREM may settle in
 * another fixed point than plain rounds from the same start (a one-token document can sit in any
 * sense), so each mode has its own reference.
 */
function denseEStep(g0: Float64Array, C: Float64Array, bt: Float64Array[], alphaK: number, accelerate: boolean) {
  const nd = C.reduce((a, b) => a + b, 0);
  let g = g0;
  for (let t = 0; t < 5000; t++) {
    let from = g;
    if (accelerate) {
      const g1 = denseRound(g, C, bt, alphaK);
      const g2 = denseRound(g1, C, bt, alphaK);
      const r = g1.map((x, k) => Math.log(x) - Math.log(g[k]));
      const v = g2.map((x, k) => Math.log(x) - 2 * Math.log(g1[k]) + Math.log(g[k]));
      const norm = (z: Float64Array) => z.reduce((s, x) => s + x * x, 0);
      const a = -Math.min(8, Math.max(1, Math.sqrt(norm(r) / (norm(v) + 1e-30))));
      const ex = g.map((x, k) => Math.max(Math.exp(Math.log(x) - 2 * a * r[k] + a * a * v[k]) - alphaK, 0));
      const mass = ex.reduce((s, x) => s + x, 0);
      from = mass > 0 && Number.isFinite(mass) ? ex.map((x) => (x * nd) / mass + alphaK) : g2;
    }
    const next = denseRound(from, C, bt, alphaK);
    const change = next.reduce((s, x, k) => s + Math.abs(x - from[k]), 0) / next.reduce((s, x) => s + x, 0);
    g = next;
    if (change < 1e-12) break;
  }
  return g;
}

function setup(counts: CsrCounts, K: number, kind: 'simd' | 'scalar', seed: number) {
  const V = counts.cols;
  const Kp = Math.ceil(K / 8) * 8;
  const N = counts.indptr[counts.rows];
  const at = { beta: 0, stats: V * Kp, idx: 2 * V * Kp, val: 2 * V * Kp + N, theta: 2 * V * Kp + 2 * N, acc: 0 };
  at.acc = at.theta + Kp;
  const kern = sparseKernels(at.acc + Kp, kind);
  expect(kern.kind).toBe(kind);
  kern.i32.set(counts.indices, at.idx);
  kern.f32.set(counts.values, at.val);
  // β̃ from a random λ, float32 in the arena, float64 copy [K][V] for the reference
  const lam = gammaSamples(K * V, 2, 1, seed);
  const bt = Array.from({ length: K }, (_, k) => {
    const row = Float64Array.from(lam.subarray(k * V, k * V + V));
    const ds = digammaScalar(row.reduce((a, b) => a + b, 0));
    return row.map((x) => Math.fround(Math.exp(digammaScalar(x) - ds) + 1e-30));
  });
  for (let k = 0; k < K; k++) for (let c = 0; c < V; c++) kern.f32[at.beta + c * Kp + k] = bt[k][c];
  return { kern, at, bt, Kp, est: new SparseEStep(kern, K, Kp, at) };
}

const denseRow = (m: CsrCounts, d: number): Float64Array => {
  const out = new Float64Array(m.cols);
  for (let j = m.indptr[d]; j < m.indptr[d + 1]; j++) out[m.indices[j]] += m.values[j];
  return out;
};

describe('sparse E-step', () => {
  for (const kind of ['simd', 'scalar'] as const)
    it(`equals the dense float64 E-step at densities 0.03–1, empty and one-non-zero rows (${kind})`, () => {
      const K = 7;
      const alphaK = 0.1 / K;
      for (const [density, seed] of [
        [0.03, 1],
        [0.2, 2],
        [0.6, 3],
        [1, 4],
      ]) {
        const D = 12;
        const counts = randomCsr(D, 40, density, seed);
        const { kern, at, bt, Kp, est } = setup(counts, K, kind, seed + 10);
        const start = gammaSamples(D * K, 100, 0.01, seed + 20);
        // one round: the same map
        const one = start.slice();
        kern.f32.fill(0, at.stats, at.stats + counts.cols * Kp);
        const stats64 = Array.from({ length: counts.cols }, () => new Float64Array(K));
        for (let d = 0; d < D; d++) {
          const j0 = counts.indptr[d];
          const n = counts.indptr[d + 1] - j0;
          const C = denseRow(counts, d);
          const nd = C.reduce((a, b) => a + b, 0);
          const want = denseRound(Float64Array.from(start.subarray(d * K, d * K + K)), C, bt, alphaK);
          est.run(one, d * K, j0, n, nd, { alphaK, maxRounds: 1, tol: 0, accelerate: false, maxStep: 8 });
          for (let k = 0; k < K; k++) expect(Math.abs(one[d * K + k] - want[k])).toBeLessThan(1e-5 * (1 + want[k]));
          // statistics θ̃ᵀQ at this γ
          est.stats(one, d * K, j0, n, at.stats);
          const th = expElog64(Float64Array.from(one.subarray(d * K, d * K + K)));
          for (let c = 0; c < counts.cols; c++) {
            if (!C[c]) continue;
            let x = 0;
            for (let k = 0; k < K; k++) x += th[k] * bt[k][c];
            for (let k = 0; k < K; k++) stats64[c][k] += (C[c] / x) * th[k];
          }
        }
        for (let c = 0; c < counts.cols; c++)
          for (let k = 0; k < K; k++) {
            const got = kern.f32[at.stats + c * Kp + k];
            expect(Math.abs(got - stats64[c][k])).toBeLessThan(1e-4 * (1 + stats64[c][k]));
          }
        // to convergence, plain and SQUAREM: the dense float64 fixed point
        for (const accelerate of [false, true]) {
          const g = start.slice();
          for (let d = 0; d < D; d++) {
            const j0 = counts.indptr[d];
            const n = counts.indptr[d + 1] - j0;
            const C = denseRow(counts, d);
            const nd = C.reduce((a, b) => a + b, 0);
            const ref = denseEStep(Float64Array.from(start.subarray(d * K, d * K + K)), C, bt, alphaK, accelerate);
            const rounds = est.run(g, d * K, j0, n, nd, { alphaK, maxRounds: 3000, tol: 1e-7, accelerate, maxStep: 8 });
            expect(rounds).toBeLessThan(3000);
            for (let k = 0; k < K; k++) expect(Math.abs(g[d * K + k] - ref[k]) / (nd + 1)).toBeLessThan(2e-4);
          }
          expect(Array.from(g.subarray(0, K))).toEqual(new Array(K).fill(Math.fround(alphaK))); // the empty row
        }
      }
    });
});

describe('E-step rounds on live senses only', () => {
  for (const kind of ['simd', 'scalar'] as const)
    it(`equal the rounds on all senses and the dense float64 E-step, gathering where senses die (${kind})`, () => {
      const K = 40;
      const alphaK = 0.1 / K;
      for (const [density, seed] of [
        [0.05, 5],
        [0.5, 6],
      ]) {
        const D = 10;
        const counts = randomCsr(D, 90, density, seed);
        const { kern, at: plain, bt, Kp } = setup(counts, K, kind, seed + 10);
        let maxRow = 1;
        for (let d = 0; d < D; d++) maxRow = Math.max(maxRow, counts.indptr[d + 1] - counts.indptr[d]);
        // the same arena contents under the full layout (its compact scratch past everything the plain one uses)
        const full = sparseArena(counts.cols, Kp, counts.indptr[D], maxRow);
        const big = sparseKernels(full.elements, kind);
        big.f32.set(kern.f32.subarray(0, Math.min(kern.f32.length, plain.idx)), 0); // β̃ and the statistics
        big.i32.set(counts.indices, full.idx);
        big.f32.set(counts.values, full.val);
        const live = new SparseEStep(big, K, Kp, full);
        const all = new SparseEStep(big, K, Kp, full);
        all.liveOnly = false;
        const start = gammaSamples(D * K, 100, 0.01, seed + 20);
        const gLive = start.slice();
        const gAll = start.slice();
        const p = { alphaK, maxRounds: 3000, tol: 1e-7, accelerate: true, maxStep: 8 };
        for (let d = 0; d < D; d++) {
          const j0 = counts.indptr[d];
          const n = counts.indptr[d + 1] - j0;
          const C = denseRow(counts, d);
          const nd = C.reduce((a, b) => a + b, 0);
          live.run(gLive, d * K, j0, n, nd, p);
          all.run(gAll, d * K, j0, n, nd, p);
          const ref = denseEStep(Float64Array.from(start.subarray(d * K, d * K + K)), C, bt, alphaK, true);
          for (let k = 0; k < K; k++) {
            expect(Math.abs(gLive[d * K + k] - gAll[d * K + k]) / (nd + 1)).toBeLessThan(1e-5);
            expect(Math.abs(gLive[d * K + k] - ref[k]) / (nd + 1)).toBeLessThan(2e-4);
          }
        }
        expect(live.compactRounds).toBeGreaterThan(0); // senses did die, and the gathered block was used
        expect(live.gathers).toBeGreaterThan(0);
        expect(all.compactRounds).toBe(0);
      }
    });
});

describe('sparse engine', () => {
  it('gives the dense engine’s perplexities per iteration, on both kernel sets, deterministically', async () => {
    const planted = plantedCounts(120, 5, 200, 4);
    const o = { K: 5, iters: 4, seed: 3 };
    const dense = await fitLda(planted.counts, { ...o, engine: 'dense' });
    const simd = await fitLda(planted.counts, { ...o, engine: 'sparse', kernels: 'simd' });
    const scalar = await fitLda(planted.counts, { ...o, engine: 'sparse', kernels: 'scalar' });
    const csr = await fitLda(planted.counts, { ...o, engine: 'csr' }); // CSR blocks, tfjs ops (WGSL: the e2e)
    expect(simd.engine).toBe('sparse (simd)');
    expect(scalar.engine).toBe('sparse (scalar)');
    expect(csr.engine).toBe('csr (tfjs-ops)');
    for (const r of [simd, scalar, csr])
      r.history.forEach((h, i) => expect(Math.abs(h.perplexity / dense.history[i].perplexity - 1)).toBeLessThan(2e-4));
    // incremental VB (three update groups) as well
    const g3 = { ...o, updateBlocks: 3 };
    const denseG = await fitLda(planted.counts, { ...g3, engine: 'dense' });
    const sparseG = await fitLda(planted.counts, { ...g3, engine: 'sparse' });
    sparseG.history.forEach((h, i) =>
      expect(Math.abs(h.perplexity / denseG.history[i].perplexity - 1)).toBeLessThan(2e-4),
    );
    expect(sparseG.history[1].perplexity).not.toBeCloseTo(simd.history[1].perplexity, 3); // the groups did change the path
    // online VB (three groups): the engines agree, and it is not the incremental path
    const on = { ...g3, update: 'online' as const };
    const denseOn = await fitLda(planted.counts, { ...on, engine: 'dense' });
    const sparseOn = await fitLda(planted.counts, { ...on, engine: 'sparse' });
    const csrOn = await fitLda(planted.counts, { ...on, engine: 'csr', blockElements: 4000 }); // several blocks per group
    for (const r of [sparseOn, csrOn])
      r.history.forEach((h, i) =>
        expect(Math.abs(h.perplexity / denseOn.history[i].perplexity - 1)).toBeLessThan(2e-4),
      );
    expect(sparseOn.history[1].perplexity).not.toBeCloseTo(sparseG.history[1].perplexity, 3);
    const again = await fitLda(planted.counts, { ...o, engine: 'sparse', kernels: 'simd' });
    expect(again.beta).toEqual(simd.beta);
    expect(again.theta).toEqual(simd.theta);
  });

  it('is chosen automatically for sparse counts on WASM and not for dense ones', () => {
    expect(chooseEngine(randomCsr(50, 200, 0.01, 1))).toBe('sparse');
    expect(chooseEngine(randomCsr(50, 200, 0.95, 1))).toBe('dense');
    expect(chooseEngine(randomCsr(50, 200, 0.01, 1), { engine: 'dense' })).toBe('dense');
    expect(chooseEngine(randomCsr(50, 200, 0.01, 1), { engine: 'csr' })).toBe('csr');
    // WebGPU on a software adapter is the CPU: it gets WASM's crossover (chooseEngine), a real GPU does not
    const report = (adapter: Partial<AdapterSummary> | null) => ({
      backend: 'webgpu' as const,
      adapter: adapter && {
        vendor: '',
        architecture: '',
        device: '',
        description: '',
        isFallbackAdapter: null,
        ...adapter,
      },
      skipped: [],
      tfjsVersion: '',
      realm: 'worker' as const,
    });
    expect(isSoftwareGpu(report({ vendor: 'google', architecture: 'swiftshader' }))).toBe(true);
    expect(isSoftwareGpu(report({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }))).toBe(true);
    expect(isSoftwareGpu(report({ vendor: 'unknown', isFallbackAdapter: true }))).toBe(true);
    expect(isSoftwareGpu(report({ vendor: 'nvidia', architecture: 'hopper', isFallbackAdapter: false }))).toBe(false);
    expect(isSoftwareGpu(report(null))).toBe(false);
    expect(isSoftwareGpu({ ...report({ architecture: 'swiftshader' }), backend: 'wasm' })).toBe(false);
    const gl = (renderer: string) => ({ ...report(null), backend: 'webgl' as const, renderer });
    expect(isSoftwareGpu(gl('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)'))).toBe(
      true,
    );
    expect(isSoftwareGpu(gl('ANGLE (NVIDIA, NVIDIA GeForce RTX 4090 Direct3D11 vs_5_0 ps_5_0)'))).toBe(false);
  });
});
