// The Curvature panel in a real browser (webgpu and fallback projects) on the tiny trained fixture
// checkpoints: the Hessian (top eigenvalues, trace) and the flatness table (with a tray checkpoint as
// every row's origin θ0: curve_curvature, basin_width) computed in the app's worker equal `sensescape
// landscape hessian` / `landscape flatness` run by node on the same files and flags; the figures export
// as SVG, the table as CSV. Backends: the webgpu project runs on WebGPU (SwiftShader), the fallback
// project's ladder lands on WebGL here (SwiftShader GL; asserted only as "not WebGPU"), and one test
// asks for WebGL by URL (`?backend=webgl`) in both and checks the Hessian there.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';

const FIX = 'tests/fixtures/landscape';
const DATA = ['--max-examples', '4', '--batch', '16'];

function cli(args: string[]) {
  return JSON.parse(execFileSync('node', ['bin/sensescape.mjs', 'landscape', ...args, '--json'], { encoding: 'utf8' }));
}

/** |a − b| ≤ rel·|b| + abs. */
function close(a: number, b: number, rel: number, abs: number, what: string) {
  expect(Math.abs(a - b), `${what}: app ${a}, CLI ${b}`).toBeLessThanOrEqual(rel * Math.abs(b) + abs);
}

async function dropCheckpoint(page: Page, name: string) {
  await page.getByTestId('checkpoint-drop-folder').setInputFiles(`${FIX}/${name}`);
  await expect(page.getByTestId(`checkpoint-${name}`)).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
}

async function fill(page: Page, id: string, value: string) {
  await page.getByTestId(id).fill(value);
}

/** Opens the landscapes view (`query`: e.g. `?backend=webgl`, state/compute.ts), drops `names` and the data. */
async function setUp(page: Page, names: string[], dev: boolean, query = '') {
  await page.goto(`/${query}#view=landscapes`);
  for (const name of names) await dropCheckpoint(page, name);
  await page.getByTestId('data-train-input').setInputFiles(`${FIX}/data/sst2-train.tsv`);
  await expect(page.getByTestId('data-train-summary')).toContainText('12 rows');
  if (dev) {
    await page.getByTestId('data-dev-input').setInputFiles(`${FIX}/data/sst2-dev.tsv`);
    await expect(page.getByTestId('data-dev-summary')).toContainText('20 rows');
  }
  await fill(page, 'max-examples', '4');
}

/** The backend that computed: WebGPU in the webgpu project (the gradients-on-WebGPU check), another in fallback. */
async function expectBackend(page: Page, project: string) {
  const backend = (await page.getByTestId('backend-badge').textContent())?.trim();
  if (project === 'webgpu') expect(backend).toBe('webgpu');
  else expect(backend).not.toBe('webgpu');
}

const num = async (loc: ReturnType<Page['locator']>) => Number(await loc.getAttribute('data-value'));

// Kept tiny (4 examples, 8 iterations, 4 samples: 20 Hessian-vector products) so that the slowest
// project stays within about a minute on a loaded machine; density and per-block runs cost 30 and
// 5 × (iters + samples) more products and are left to the CLI and unit tests.
/** Runs the panel's Hessian of ft-a and checks it against `landscape hessian` on the same flags. */
async function expectHessianEqualsCli(page: Page) {
  await fill(page, 'curv-top', '2');
  await fill(page, 'curv-iters', '8');
  await fill(page, 'curv-traceSamples', '4');
  await page.getByTestId('curv-density').uncheck();
  await page.getByTestId('curv-groups').uncheck();
  await page.getByTestId('run-hessian').click();
  await expect(page.getByTestId('hessian-run')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  const h = cli([
    'hessian',
    '--model',
    `${FIX}/ft-a`,
    '--data',
    `${FIX}/data/sst2-train.tsv`,
    ...DATA,
    '--top',
    '2',
    '--iters',
    '8',
    '--trace-samples',
    '4',
  ]);
  const eig = page.getByTestId('hessian-eigenvalue');
  await expect(eig).toHaveCount(2);
  for (let k = 0; k < 2; k++) close(await num(eig.nth(k)), h.eigenvalues[k], 1e-2, 1e-3, `eigenvalue ${k}`);
  const trace = page.getByTestId('hessian-trace');
  close(await num(trace), h.trace.estimate, 1e-3, 1e-3, 'trace');
  close(Number(await trace.getAttribute('data-stderr')), h.trace.stderr, 1e-3, 1e-3, 'trace stderr');
  close(await num(page.getByTestId('hessian-loss')), h.loss, 1e-4, 1e-6, 'loss');
}

test('the Hessian of a checkpoint equals the CLI (eigenvalues, trace)', async ({ page }, info) => {
  await setUp(page, ['ft-a'], false);
  await expectHessianEqualsCli(page);
  await expectBackend(page, info.project.name);
});

// WebGL asked for by URL (the ladder restricted to it): tfjs-backend-webgl's gradients and double backward
// (gather's gradient is its UnsortedSegmentSum) through Chromium's SwiftShader GL, in either project.
test('the Hessian on the WebGL backend equals the CLI', async ({ page }) => {
  await setUp(page, ['ft-a'], false, '?backend=webgl');
  await expect(page.getByTestId('backend-badge')).toHaveText('webgl');
  await expectHessianEqualsCli(page);
  await expect(page.getByTestId('backend-badge')).toHaveText('webgl');
});

test('the flatness table (with an origin) and its correlations equal the CLI, and export as SVG and CSV', async ({
  page,
}, info) => {
  test.setTimeout(240_000); // the curves add 21 forward passes per row: ~2 min on the WebGPU software adapter, loaded
  // The origin has no classification head: it is left out of the table, and is every row's θ0 (--origin).
  await setUp(page, ['origin', 'ft-a', 'ft-b', 'traj-1'], true);
  await fill(page, 'curv-flatnessIters', '5');
  await fill(page, 'curv-flatnessTraceSamples', '2');
  await page.getByTestId('curv-flatnessOrigin').selectOption({ label: 'origin' });
  await page.getByTestId('run-flatness').click();
  await expect(page.getByTestId('flatness-run')).toHaveAttribute('data-state', 'done', { timeout: 200_000 });
  const f = cli([
    'flatness',
    '--checkpoints',
    `${FIX}/ft-a`,
    `${FIX}/ft-b`,
    `${FIX}/traj-1`,
    '--train',
    `${FIX}/data/sst2-train.tsv`,
    '--dev',
    `${FIX}/data/sst2-dev.tsv`,
    ...DATA,
    '--iters',
    '5',
    '--trace-samples',
    '2',
    '--origin',
    `${FIX}/origin`,
  ]);
  await expect(page.locator('[data-testid="flatness-table"] tbody tr')).toHaveCount(3);
  const tolerance: Record<string, [number, number]> = {
    train_loss: [1e-4, 1e-5],
    dev_loss: [1e-4, 1e-5],
    gap_loss: [0, 1e-4],
    train_accuracy: [0, 0],
    dev_accuracy: [0, 0],
    gap_accuracy: [0, 0],
    eigenvalue: [1e-2, 1e-3],
    trace: [1e-3, 1e-3],
    trace_stderr: [1e-3, 1e-3],
    epsilon_sharpness: [1e-2, 1e-4],
    random_direction_rise: [0, 1e-4],
    // J''(1) is a central difference: loss differences of ~1e-6 between backends over h² = 0.01
    // (measured on WebGL: 9e-6 at most); the basin's ends are interpolated crossings (measured: 1e-8).
    curve_curvature: [1e-2, 1e-4],
    basin_width: [1e-3, 1e-4],
  };
  for (const row of f.rows as Record<string, number | string | null>[]) {
    const tr = page.locator(`[data-testid="flatness-table"] tr[data-row="${row.name}"]`);
    for (const [key, [rel, abs]] of Object.entries(tolerance)) {
      const shown = await tr.locator(`td[data-key="${key}"]`).getAttribute('data-value');
      if (row[key] === null) expect(shown).toBe('');
      else close(Number(shown), row[key] as number, rel, abs, `${row.name} ${key}`);
    }
    expect(row.basin, `${row.name}: the CLI row has a basin (an origin was given)`).not.toBeNull();
    const basin = JSON.parse((await tr.locator('td[data-key="basin"]').getAttribute('data-value')) ?? 'null');
    const cliBasin = row.basin as unknown as { left: number; right: number; censored: object };
    close(basin.left, cliBasin.left, 1e-3, 1e-4, `${row.name} basin.left`);
    close(basin.right, cliBasin.right, 1e-3, 1e-4, `${row.name} basin.right`);
    expect(basin.censored).toEqual(cliBasin.censored);
  }
  // The correlation printed with the scatter is the CLI's (ranks of nearly equal numbers agree).
  const c = f.correlations.find((x: { measure: string; gap: string }) => x.measure === 'trace' && x.gap === 'gap_loss');
  const spearman = page.locator(
    '[data-testid="flatness-correlations"] tr[data-measure="trace"][data-gap="gap_loss"] td[data-key="spearman"]',
  );
  close(await num(spearman), c.spearman, 0, 1e-9, 'Spearman ρ of trace vs gap_loss');
  const figure = page.getByTestId('flatness-figure');
  await expect(figure.locator('circle')).toHaveCount(3);
  await expect(figure).toContainText(`(n = ${c.n})`);

  // Exports: the scatter as SVG (the CLI's renderer, rows in its metadata) and the table as CSV.
  let download = page.waitForEvent('download');
  await page.getByTestId('flatness-export-svg').click();
  const svg = readFileSync(await (await download).path(), 'utf8');
  expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
  expect(svg).toContain('trace against the generalisation gap');
  expect(svg).toContain('<metadata');
  download = page.waitForEvent('download');
  await page.getByTestId('flatness-export-csv').click();
  const csv = readFileSync(await (await download).path(), 'utf8')
    .trim()
    .split('\n');
  expect(csv[0]).toBe(Object.keys(f.rows[0]).join(','));
  expect(csv).toHaveLength(4);
  await expectBackend(page, info.project.name);
});
