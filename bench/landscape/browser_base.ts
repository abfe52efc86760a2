/**
 * BERT-base in the browser tab (issue 18): the landscape studio in Debian Chromium on tfjs WASM
 * (`?backend=wasm`, where curves run on the worker's in-thread plane replica), driven through its
 * real folder input. Drops the three BERT-base-sized checkpoints of tools/bert/base_bench.py (origin,
 * ft-a, ft-b: 3 × 438 MB F32), the SST-2 dev rows, then runs a 3-point curve over N examples. Prints one
 * JSON line: seconds until each checkpoint is ready, the curve's seconds and losses, and the peak
 * resident memory of all the browser's processes (sampled with ps every 0.5 s: run nothing else with
 * a browser meanwhile).
 *
 *   npx vite build && npx tsx bench/landscape/browser_base.ts [--dir /tmp/sensescape-bench-base] [--examples 8] [--hold F16]
 *
 * `--hold F16` picks the tray's "hold weights in the worker as F16" before the drops (half the memory
 * between analyses; the F32 files are rounded).
 *
 * Serves dist/ with `vite preview` on BENCH_PORT (default 4191). Not a test: minutes on this machine.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chromium } from '@playwright/test';

const opt = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const DIR = `${opt('dir', '/tmp/sensescape-bench-base')}/f32`;
const N = opt('examples', '8');
const HOLD = opt('hold', 'F32');
const TSV = new URL('../../../shared/data/glue/SST-2/dev.tsv', import.meta.url).pathname;
const PORT = Number(process.env.BENCH_PORT ?? 4191);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(PORT), '--strictPort'], {
  stdio: 'ignore',
  detached: true,
});
for (let i = 0; i < 60; i++) {
  try {
    if ((await fetch(`http://127.0.0.1:${PORT}/`)).ok) break;
  } catch {
    await sleep(500);
  }
}

/** Resident memory of all chromium processes, MB. */
function browserRss(): number {
  const out = execFileSync('ps', ['-eo', 'rss=,args='], { encoding: 'utf8', maxBuffer: 1 << 24 });
  let kb = 0;
  for (const line of out.split('\n'))
    if (line.includes('/usr/lib/chromium/')) kb += Number(line.trim().split(/\s+/)[0]) || 0;
  return kb / 1024;
}

let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, browserRss())), 500);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${PORT}/?backend=wasm#view=landscapes`);
  await page.getByTestId('hold-dtype').selectOption(HOLD);
  const ready: Record<string, number> = {};
  for (const name of ['origin', 'ft-a', 'ft-b']) {
    const t = performance.now();
    await page.getByTestId('checkpoint-drop-folder').setInputFiles(`${DIR}/${name}`);
    await page
      .getByTestId(`checkpoint-${name}`)
      .and(page.locator('[data-status="ready"]'))
      .waitFor({ timeout: 600_000 });
    ready[name] = +((performance.now() - t) / 1000).toFixed(1);
  }
  const afterDrops = Math.round(browserRss());
  await page.getByTestId('data-train-input').setInputFiles(TSV);
  await page.getByTestId('max-examples').fill(N);
  await page.getByTestId('alpha-n').fill('3');
  const t = performance.now();
  await page.getByTestId('run-curve').click();
  await page.getByTestId('curve-run').and(page.locator('[data-state="done"]')).waitFor({ timeout: 1_800_000 });
  const curveS = +((performance.now() - t) / 1000).toFixed(1);
  const loss = (
    await page.locator('[data-testid="curve-table"] td[data-series="pretrained-train"]').allTextContents()
  ).map(Number);
  const backend = await page.getByTestId('backend-badge').textContent();
  await sleep(5000);
  const afterCurve = Math.round(browserRss());
  clearInterval(sampler);
  console.log(
    JSON.stringify({
      backend,
      hold: HOLD,
      examples: Number(N),
      points: 3,
      readySeconds: ready,
      rssAfterDropsMB: afterDrops,
      curveSeconds: curveS,
      loss,
      rssAfterCurveMB: afterCurve,
      peakBrowserRssMB: Math.round(peak),
    }),
  );
} finally {
  clearInterval(sampler);
  await browser.close();
  process.kill(-server.pid!);
}
