/**
 * Word2Sense trained in the browser on the six bundled corpora (issue 15, point 4): the app's "Train on
 * your corpus" panel driven through its real file input in Debian Chromium, once with WebGPU (here the
 * SwiftShader adapter, where the LDA runs on the sparse WASM engine) and once without (the WASM rung).
 * Prints per project the seconds to counts, per LDA pass and in all, and the peak resident memory of
 * the browser's processes (all chromium processes, sampled with ps every 0.5 s: run nothing else with
 * a browser meanwhile), as one JSON line each.
 *
 *   npx vite build && npx tsx bench/senses/browser_train.ts [ITERS=2] [V=20000] [K=300] [ENGINE=auto] [PROJECTS=webgpu,fallback]
 *
 * ENGINE is the panel's Engine setting (auto | sparse | csr | dense; csr on WebGPU runs the WGSL
 * kernels). Serves dist/ with `vite preview` on BENCH_PORT (default 4190). Not a test: minutes per
 * project on this machine.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chromium } from '@playwright/test';

const [iters, V, K] = [2, 20000, 300].map((d, i) => Number(process.argv[2 + i] ?? d));
const engine = process.argv[5] ?? 'auto';
const projects = (process.argv[6] ?? 'webgpu,fallback').split(',');
const CORPORA = ['brown', 'gutenberg', 'newsgroups', 'reuters', 'sotu', 'wordnet-glosses'].map(
  (n) => new URL(`../../../shared/data/corpora/${n}.txt.gz`, import.meta.url).pathname,
);
const PORT = Number(process.env.BENCH_PORT ?? 4190);
const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(PORT), '--strictPort'], {
  stdio: 'ignore',
  detached: true,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
for (let i = 0; i < 60; i++) {
  try {
    if ((await fetch(`http://127.0.0.1:${PORT}/`)).ok) break;
  } catch {
    await sleep(500);
  }
}

/** Resident memory of all processes whose command line names the browser's user-data dir, in MB. */
function browserRss(pattern: string): number {
  const out = execFileSync('ps', ['-eo', 'rss=,args='], { encoding: 'utf8', maxBuffer: 1 << 24 });
  let kb = 0;
  for (const line of out.split('\n')) if (line.includes(pattern)) kb += Number(line.trim().split(/\s+/)[0]) || 0;
  return kb / 1024;
}

const base = ['--no-sandbox', '--disable-background-networking', '--no-first-run', '--enable-unsafe-swiftshader'];
try {
  for (const [project, extra] of [
    ['webgpu', ['--enable-unsafe-webgpu']],
    ['fallback', []],
  ] as const) {
    if (!projects.includes(project)) continue;
    const tag = '/usr/lib/chromium/'; // every process of the (only) browser running: renderers do not carry custom switches
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...base, ...extra] });
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${PORT}/#view=senses`);
    await page.getByTestId('corpus-drop-input').setInputFiles(CORPORA);
    await page.getByText('Hyperparameters').click();
    for (const [k, v] of Object.entries({
      senses: K,
      merged: Math.round(0.75 * K),
      nnz: 75,
      iters,
      maxVocab: V,
      minCount: 5,
      subsample: 1e-5,
      seed: 1,
    }))
      await page.getByTestId(`hp-${k}`).fill(String(v));
    await page.getByTestId('hp-engine').selectOption(engine);
    let peak = 0;
    const stages: Record<string, number> = {};
    const t0 = performance.now();
    await page.getByTestId('train-start').click();
    for (;;) {
      peak = Math.max(peak, browserRss(tag));
      const [state, stage] = await Promise.all([
        page.getByTestId('train-panel').getAttribute('data-state'),
        page
          .getByTestId('train-progress')
          .getAttribute('data-stage', { timeout: 1000 })
          .catch(() => null),
      ]);
      if (stage && stages[stage] === undefined) stages[stage] = (performance.now() - t0) / 1000;
      if (state === 'done' || state === 'failed') {
        const seconds = (performance.now() - t0) / 1000;
        const summary = await page
          .getByTestId('model-summary')
          .textContent({ timeout: 5000 })
          .catch(() => null);
        const error = state === 'failed' ? await page.getByTestId('train-panel').textContent() : undefined;
        const ran = await page
          .getByTestId('train-done')
          .getAttribute('data-engine', { timeout: 1000 })
          .catch(() => null);
        await page.evaluate(() => (location.hash = '#view=system'));
        const backend = await page
          .locator('[data-backend]')
          .first()
          .getAttribute('data-backend', { timeout: 10_000 })
          .catch(() => 'unknown');
        console.log(
          JSON.stringify({
            project,
            backend,
            engine: ran,
            state,
            seconds,
            stagesStartAt: stages,
            peakRssMB: Math.round(peak),
            summary,
            error,
          }),
        );
        break;
      }
      await sleep(500);
    }
    await browser.close();
  }
} finally {
  process.kill(-server.pid!);
}
