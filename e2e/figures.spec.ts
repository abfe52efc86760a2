// The figures' pointer geometry in a real browser: each screen reads the layout its renderer returned
// (issue 14). The surface readout names the grid point under the pointer, also with the figure drawn
// scaled; the curve readout names the nearest α; the sense map on screen is the SVG its export
// downloads, zooms and pans through viz's zoom behaviour, and a click explores the sense under it.
// The expected positions come from the DOM here (the drawn plot frame), independently of the layout.
import { readFileSync, writeFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { createSurface, serializeSurface, setPoint } from '../src/engine/io/surfaceFile';
import { writeWord2SenseModel } from '../src/engine/word2sense/modelFile';
import { bankModel } from '../src/testing/contextPlanted';
import { demoSpec } from '../src/testing/landscape';

const FIX = 'tests/fixtures/landscape';

test('the surface readout names the grid point under the pointer, drawn full size or scaled', async ({
  page,
}, info) => {
  const file = createSurface(demoSpec({ grid: { x: { min: -1, max: 1, n: 5 }, y: { min: 0, max: 2, n: 3 } } }));
  const loss = (i: number, j: number) => 1 + i + 10 * j;
  for (let j = 0; j < 3; j++) for (let i = 0; i < 5; i++) setPoint(file, i, j, loss(i, j), 0.1 * (i + 1));
  const path = info.outputPath('surface.json');
  writeFileSync(path, serializeSurface(file));
  await page.goto('/#view=landscapes');
  await page.getByTestId('surface-file-drop-input').setInputFiles(path);
  const figure = page.getByTestId('surface-figure');
  await expect(figure.locator('path.band').first()).toBeAttached();
  const readout = page.getByTestId('surface-readout');
  for (const width of [1280, 460]) {
    await page.setViewportSize({ width, height: 900 });
    await figure.scrollIntoViewIfNeeded();
    const drawn = (await figure.locator('svg').boundingBox())!;
    if (width < 640) expect(drawn.width).toBeLessThan(600); // really drawn scaled
    const plot = (await figure.locator('rect.not-computed').boundingBox())!;
    const cw = plot.width / 4;
    const ch = plot.height / 2;
    for (const [i, j] of [
      [0, 0],
      [3, 1],
      [4, 2],
      [1, 2],
    ]) {
      // A little off the grid point, toward the plot's inside: still nearest to (i, j).
      await page.mouse.move(
        plot.x + i * cw + (i < 2 ? 0.2 : -0.2) * cw,
        plot.y + (2 - j) * ch + (j === 0 ? -0.2 : 0.2) * ch,
      );
      await expect(readout).toHaveText(
        `α ${file.x[i].toFixed(3)}, β ${file.y[j].toFixed(3)}: loss ${loss(i, j).toPrecision(5)}, accuracy ${(0.1 * (i + 1)).toFixed(3)}`,
      );
    }
    await page.mouse.move(plot.x + plot.width / 2, plot.y - 12); // over the figure, above the plot
    await expect(readout).toHaveText('Hover the plot for α, β, loss and accuracy.');
  }
});

async function dropCheckpoint(page: Page, name: string) {
  await page.getByTestId('checkpoint-drop-folder').setInputFiles(`${FIX}/${name}`);
  await expect(page.getByTestId(`checkpoint-${name}`)).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
}

test('the curve readout names the nearest α and every curve', async ({ page }) => {
  await page.goto('/#view=landscapes');
  await dropCheckpoint(page, 'origin');
  await dropCheckpoint(page, 'ft-a');
  await page.getByTestId('data-train-input').setInputFiles(`${FIX}/data/sst2-train.tsv`);
  await expect(page.getByTestId('data-train-summary')).toContainText('12 rows');
  await page.getByTestId('alpha-n').fill('5');
  await page.getByTestId('run-curve').click();
  await expect(page.getByTestId('curve-run')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  const alphas = (await page.locator('[data-testid="curve-table"] tbody th').allTextContents()).map(Number);
  const labels = await page.locator('[data-testid="curve-table"] thead th[scope="col"]').allTextContents();
  expect(alphas).toHaveLength(5);
  const figure = page.getByTestId('curve-figure');
  await figure.scrollIntoViewIfNeeded();
  const frame = (await figure.locator('rect[stroke-width="0.8"]').boundingBox())!;
  const readout = page.getByTestId('curve-readout');
  const [a0, a1] = [Math.min(...alphas), Math.max(...alphas)];
  for (const k of [0, 2, 3, 4]) {
    const x = frame.x + ((alphas[k] - a0) / (a1 - a0)) * frame.width + (k === 4 ? -3 : 3);
    await page.mouse.move(x, frame.y + frame.height / 2);
    await expect(readout).toContainText(`α ${alphas[k].toFixed(3)}: `);
    for (const label of labels.slice(1)) await expect(readout).toContainText(label);
  }
  await page.mouse.move(frame.x + frame.width / 2, frame.y - 12);
  await expect(readout).toHaveText('Hover the plot for the loss of each curve at the nearest α.');
});

test('the sense map on screen is its SVG export; it zooms, pans and explores the sense clicked', async ({
  page,
}, info) => {
  const modelPath = info.outputPath('bank.safetensors');
  writeFileSync(modelPath, writeWord2SenseModel(bankModel));
  await page.goto('/#view=senses');
  await page.getByTestId('model-drop-input').setInputFiles(modelPath);
  await expect(page.getByTestId('model-summary')).toContainText(`${bankModel.V} words`);
  await page.getByTestId('load-map').click();
  const figure = page.getByTestId('sense-map-figure');
  const circles = figure.locator('circle.map-sense');
  await expect(circles).toHaveCount(bankModel.Kmerged);
  await figure.scrollIntoViewIfNeeded();

  // One path: every circle the screen draws is the export's, attribute for attribute.
  const onScreen = await circles.evaluateAll((cs) =>
    cs.map((c) => ['data-sense', 'cx', 'cy', 'r'].map((a) => c.getAttribute(a))).sort(),
  );
  const download = page.waitForEvent('download');
  await page.getByTestId('sense-map-export-svg').click();
  const svg = readFileSync(await (await download).path(), 'utf8');
  const exported = [...svg.matchAll(/<circle cx="([^"]+)" cy="([^"]+)" r="([^"]+)"[^>]*data-sense="(\d+)"/g)]
    .map((m) => [m[4], m[1], m[2], m[3]])
    .sort();
  expect(onScreen).toEqual(exported);
  expect(await figure.locator('svg > title').textContent()).toBe(/<title[^>]*>([^<]*)<\/title>/.exec(svg)![1]);

  // Click: the sense under the pointer is explored and outlined.
  const target = (await circles.evaluateAll((cs) => {
    for (const c of cs) {
      const r = c.getBoundingClientRect();
      const [x, y] = [r.x + r.width / 2, r.y + r.height / 2];
      const hit = document.elementFromPoint(x, y)?.closest('circle.map-sense');
      if (hit && hit.getAttribute('data-sense') !== new URLSearchParams(location.hash.slice(1)).get('sense'))
        return { x, y, sense: hit.getAttribute('data-sense') };
    }
    return null;
  }))!;
  expect(target).not.toBeNull();
  await page.mouse.click(target.x, target.y);
  await expect(page.getByTestId('sense-view')).toHaveAttribute('data-sense', target.sense!);
  await expect(figure.locator(`circle.map-sense[data-sense="${target.sense}"]`)).toHaveClass(/selected/);
  await expect(figure.locator('circle.map-sense.selected')).toHaveCount(1);

  // Zoom: the wheel scales the plot groups (circles and labels together), not the title.
  const groups = figure.locator('g.senses, g.labels');
  await figure.scrollIntoViewIfNeeded();
  const box = (await figure.locator('svg').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, -400);
  await expect(figure.locator('g.senses')).toHaveAttribute('transform', /scale\(/);
  const zoomed = await groups.evaluateAll((gs) => gs.map((g) => g.getAttribute('transform')));
  expect(zoomed[0]).toBe(zoomed[1]);
  expect(Number(/scale\(([\d.]+)\)/.exec(zoomed[0]!)![1])).toBeGreaterThan(1);
  await expect(figure.locator('svg > text').first()).not.toHaveAttribute('transform', /./);
  // Pan: a drag translates.
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2 + 25, { steps: 5 });
  await page.mouse.up();
  await expect.poll(() => figure.locator('g.senses').getAttribute('transform')).not.toBe(zoomed[0]);
});
