// The landscape studio in a real browser with the tiny trained fixture checkpoints: drop folders
// through the real folder input, roles, a 1D curve equal to the CLI's, a 2D surface with contours and
// a trajectory, SVG export with the spec, resume after reload, a CLI-made surface file, a mismatch.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { cliFixtureCurve } from './helpers';

const FIX = 'tests/fixtures/landscape';

async function dropCheckpoint(page: Page, dir: string, name: string) {
  await page.getByTestId('checkpoint-drop-folder').setInputFiles(dir);
  await expect(page.getByTestId(`checkpoint-${name}`)).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
}

async function setUp(page: Page) {
  await page.goto('/#view=landscapes');
  for (const name of ['origin', 'ft-a', 'ft-b', 'traj-1', 'traj-2']) await dropCheckpoint(page, `${FIX}/${name}`, name);
  await expect(page.getByTestId('role-origin')).toHaveValue('origin');
  await expect(page.getByTestId('role-ft-a')).toHaveValue('taskA');
  await expect(page.getByTestId('role-ft-b')).toHaveValue('taskB');
  await expect(page.getByTestId('role-traj-1')).toHaveValue('trajectory');
  await expect(page.getByTestId('validation')).toContainText('compatible');
  await page.getByTestId('data-train-input').setInputFiles(`${FIX}/data/sst2-train.tsv`);
  await expect(page.getByTestId('data-train-summary')).toContainText('12 rows');
}

// Each test gets a fresh browser context, so IndexedDB starts empty.

test('curve values equal the CLI, surface shows contours and exports a valid SVG with the spec', async ({ page }) => {
  await setUp(page);
  await page.getByTestId('alpha-n').fill('5');
  await page.getByTestId('run-curve').click();
  await expect(page.getByTestId('curve-run')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  const cells = page.locator('[data-testid="curve-table"] td[data-series="pretrained-train"]');
  await expect(cells).toHaveCount(5);
  const shownText = await cells.allTextContents();
  const shown = shownText.map(Number);

  const cli = cliFixtureCurve();
  expect(cli.loss).toHaveLength(5);
  shown.forEach((v, k) => expect(Math.abs(v - cli.loss[k])).toBeLessThanOrEqual(1e-4 * Math.abs(cli.loss[k]) + 1e-5));

  await page.getByTestId('grid-n').fill('3');
  await page.getByTestId('run-trajectory').click();
  await expect(page.getByTestId('trajectory-run')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  await page.getByTestId('run-surface').click();
  await expect(page.getByTestId('surface-run')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  const figure = page.getByTestId('surface-figure');
  await expect(figure.locator('path.band').first()).toBeAttached();
  await expect(figure.locator('path.isoline').first()).toBeAttached();

  const download = page.waitForEvent('download');
  await page.getByTestId('surface-export-svg').click();
  const svg = readFileSync(await (await download).path(), 'utf8');
  expect(svg.startsWith('<svg') || svg.startsWith('<?xml')).toBe(true);
  expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
  expect(svg).toMatch(/<path[^>]*class="band"/);
  expect(svg).toContain('<metadata');
  const sha = await page.getByTestId('checkpoint-ft-a').locator('code').getAttribute('title');
  expect(sha).toMatch(/^[0-9a-f]{64}$/);
  expect(svg).toContain(sha!);
  // Parse it as XML in the browser: a well-formed document with an <svg> root.
  const parsed = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    return { error: doc.querySelector('parsererror')?.textContent ?? null, root: doc.documentElement.nodeName };
  }, svg);
  expect(parsed).toEqual({ error: null, root: 'svg' });

  // A second surface around another origin, drawn beside the first on one colour scale. (The tiny
  // fixtures have no random-init/scratch pair, so two trajectory checkpoints stand in for them.)
  await page.getByTestId('role-traj-2').selectOption('random');
  await page.getByTestId('role-traj-1').selectOption('scratch');
  await page.getByTestId('run-random-surface').click();
  await expect(page.getByTestId('randomSurface-run')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('random-surface-figure').locator('path.band').first()).toBeAttached();
  const bars = async (id: string) => page.getByTestId(id).locator('g.colorbar text').allTextContents();
  expect(await bars('surface-figure')).not.toEqual([]);
  expect(await bars('random-surface-figure')).toEqual(await bars('surface-figure'));

  // Everything computed comes back after a reload: curve, surface, trajectory overlay, comparison.
  await page.reload();
  await expect(page.getByTestId('curve-table').locator('td[data-series="pretrained-train"]')).toHaveText(shownText);
  await expect(page.getByTestId('random-surface-figure').locator('path.band').first()).toBeAttached();
  await expect(page.getByTestId('surface-figure').locator('g.trajectory')).toBeAttached();
});

test('a reload mid-surface resumes instead of restarting', async ({ page }) => {
  await setUp(page);
  await page.getByTestId('grid-n').fill('9');
  await page.getByTestId('run-surface').click();
  const run = page.getByTestId('surface-run');
  await expect
    .poll(async () => Number(await run.getAttribute('data-done')), { timeout: 120_000 })
    .toBeGreaterThanOrEqual(4);
  await page.reload();
  // Restored: the checkpoints come back from IndexedDB and the surface continues where it stopped,
  // computing only the points that were not saved before the reload.
  await expect(page.getByTestId('checkpoint-ft-a')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  const resumed = page.getByTestId('surface-run');
  await expect
    .poll(async () => Number(await resumed.getAttribute('data-total')), { timeout: 60_000 })
    .toBeGreaterThan(0);
  expect(Number(await resumed.getAttribute('data-total'))).toBeLessThanOrEqual(81 - 4);
  await expect(resumed).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('surface-figure').locator('g.computed-points')).toHaveCount(0); // complete: no partial-point dots
});

test('a CLI-made surface file is shown the same way, and a mismatched checkpoint is named', async ({ page }, info) => {
  const out = info.outputPath('cli-surface.json');
  execFileSync('node', [
    'bin/sensescape.mjs',
    'landscape',
    'surface',
    '--origin',
    `${FIX}/origin`,
    '--x',
    `${FIX}/ft-a`,
    '--y',
    `${FIX}/ft-b`,
    '--data',
    `${FIX}/data/sst2-train.tsv`,
    '--grid',
    '-0.5:1.5:3,-0.5:1.5:3',
    '--out',
    out,
  ]);
  await page.goto('/#view=landscapes');
  await page.getByTestId('surface-file-drop-input').setInputFiles(out);
  await expect(page.getByTestId('surface-figure').locator('path.band').first()).toBeAttached();
  // "The same picture": the app's SVG export equals `sensescape landscape render` of the same file.
  const cliSvgPath = info.outputPath('cli-surface.svg');
  execFileSync('node', ['bin/sensescape.mjs', 'landscape', 'render', out, '--svg', cliSvgPath]);
  const download = page.waitForEvent('download');
  await page.getByTestId('surface-export-svg').click();
  expect(readFileSync(await (await download).path(), 'utf8')).toBe(readFileSync(cliSvgPath, 'utf8'));

  await page.getByTestId('data-dev-bundled').selectOption('glue/sst2-dev.tsv');
  await expect(page.getByTestId('data-dev-summary')).toContainText('872 rows');

  await dropCheckpoint(page, `${FIX}/origin`, 'origin');
  await dropCheckpoint(page, `${FIX}/ft-a`, 'ft-a');
  await page.getByTestId('checkpoint-drop-folder').setInputFiles('tests/fixtures/bert/tiny-gelu-f32');
  await expect(page.getByTestId('checkpoint-tiny-gelu-f32')).toHaveAttribute('data-status', 'ready', {
    timeout: 60_000,
  });
  await page.getByTestId('role-tiny-gelu-f32').selectOption('taskB');
  await expect(page.getByTestId('validation')).toContainText(/tiny-gelu-f32.*(shape|config|missing)/);
});
