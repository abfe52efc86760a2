// The Curvature panel in a real browser (webgpu and fallback projects) on the tiny trained fixture
// checkpoints: the Hessian (top eigenvalues, trace, per-block eigenvalues) and the flatness table
// computed in the app's worker equal `sensescape landscape hessian` / `landscape flatness` run by node
// on the same files and flags; the figures export as SVG, the table as CSV. On the webgpu project
// this is also the check that gradients and Hessian-vector products run on WebGPU.
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

async function setUp(page: Page, names: string[], dev: boolean) {
  await page.goto('/#view=landscapes');
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
test('the Hessian of a checkpoint equals the CLI (eigenvalues, trace)', async ({ page }, info) => {
  await setUp(page, ['ft-a'], false);
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
  await expectBackend(page, info.project.name);
});

test('the flatness table and its correlations equal the CLI, and export as SVG and CSV', async ({ page }, info) => {
  // The origin has no classification head: it is left out of the table.
  await setUp(page, ['origin', 'ft-a', 'ft-b', 'traj-1'], true);
  await fill(page, 'curv-flatnessIters', '5');
  await fill(page, 'curv-flatnessTraceSamples', '2');
  await page.getByTestId('run-flatness').click();
  await expect(page.getByTestId('flatness-run')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
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
  };
  for (const row of f.rows as Record<string, number | string | null>[]) {
    const tr = page.locator(`[data-testid="flatness-table"] tr[data-row="${row.name}"]`);
    for (const [key, [rel, abs]] of Object.entries(tolerance)) {
      const shown = await tr.locator(`td[data-key="${key}"]`).getAttribute('data-value');
      if (row[key] === null) expect(shown).toBe('');
      else close(Number(shown), row[key] as number, rel, abs, `${row.name} ${key}`);
    }
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
