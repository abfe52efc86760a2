// The sparse LDA products in the browser's worker against the float64 reference — WGSL compute shaders
// on WebGPU (SwiftShader here), tfjs ops on the fallback's backend — and the whole engine on them: the
// Train panel's "sparse blocks, GPU" engine ('csr') gives the dense blocks' perplexity on the same corpus.
import { writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { csrProductsReference, maxRelError, randomCsrInputs } from '../src/engine/word2sense/csrReference';
import { openApp, twoTopicCorpus, type ConsoleApi } from './helpers';

test('the sparse products equal the float64 reference on the worker’s backend', async ({ page }) => {
  const backend = await openApp(page);
  // densities from co-occurrence-like to full; K below, at and above the kernels' 64-wide workgroups
  for (const [rows, cols, K, density] of [
    [40, 300, 37, 0.01],
    [23, 150, 130, 0.1],
    [9, 40, 64, 0.5],
    [5, 12, 3, 1],
  ]) {
    const inp = randomCsrInputs(rows, cols, K, density, rows + K);
    const want = csrProductsReference(inp);
    const plain = {
      m: { ...inp.m, rowPtr: [...inp.m.rowPtr], colIdx: [...inp.m.colIdx], values: [...inp.m.values] },
      K,
      a: [...inp.a],
      bT: [...inp.bT],
      q: [...inp.q],
      s: [...inp.s],
      x: [...inp.x],
    };
    const got = await page.evaluate(
      (p) => (globalThis as unknown as { sensescape: ConsoleApi }).sensescape.csrProducts(p),
      plain,
    );
    expect(got.backend).toBe(backend);
    expect(got.kind).toBe(backend === 'webgpu' ? 'wgsl' : 'tfjs-ops');
    // float32 sums of at most 300 products of numbers in [0, 2], relative to 1 + |reference|
    for (const key of ['sddmm', 'spmm', 'addSpmmT', 'rowSums'] as const)
      expect(maxRelError(got[key], want[key]), `${key} at density ${density}, K = ${K}`).toBeLessThan(1e-5);
  }
});

test('training on the GPU engine ("sparse blocks") gives the dense engine’s perplexity', async ({ page }, info) => {
  const backend = await openApp(page);
  await page.goto('/#view=senses');
  const corpus = info.outputPath('two-topics.txt');
  writeFileSync(corpus, twoTopicCorpus(300));
  const train = async (engine: string) => {
    await page.getByTestId('corpus-drop-input').setInputFiles(corpus);
    await expect(page.getByTestId('corpus-stats')).toContainText('two-topics.txt');
    const params = page.getByText('Hyperparameters');
    if (!(await page.getByTestId('hp-senses').isVisible())) await params.click();
    for (const [k, v] of [
      ['senses', '4'],
      ['merged', '3'],
      ['nnz', '3'],
      ['iters', '3'],
      ['minCount', '1'],
      ['subsample', '0'],
    ])
      await page.getByTestId(`hp-${k}`).fill(v);
    await page.getByTestId('hp-engine').selectOption(engine);
    await page.getByTestId('train-start').click();
    const done = page.getByTestId('train-done');
    await expect(page.getByTestId('train-panel')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
    return {
      engine: await done.getAttribute('data-engine'),
      perplexity: Number(await done.getAttribute('data-perplexity')),
    };
  };
  const gpu = await train('csr');
  const dense = await train('dense');
  const cpu = await train('sparse');
  expect(gpu.engine).toBe(backend === 'webgpu' ? 'csr (wgsl)' : 'csr (tfjs-ops)');
  expect(dense.engine).toBe('dense (tfjs)');
  expect(cpu.engine).toMatch(/^sparse \((simd|scalar)\)$/);
  expect(gpu.perplexity).toBeGreaterThan(1);
  // the same block-synchronous rounds as the dense blocks (float rounding apart) ...
  expect(Math.abs(gpu.perplexity / dense.perplexity - 1)).toBeLessThan(1e-4);
  // ... and the per-document CPU engine's model: its documents stop iterating exactly at convergence, while
  // a block keeps converged rows until it is compacted (measured 0.34 % apart on this corpus, both backends)
  expect(Math.abs(gpu.perplexity / cpu.perplexity - 1)).toBeLessThan(1e-2);
});
