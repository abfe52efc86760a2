// The sense probe's split view in a real browser (issue 20) on the tiny landscape fixtures and the
// demo Word2Sense model: a 2-layer × 3-α heatmap equal to the CLI's `landscape senses` on the same
// inputs (scores and the Word2Sense agreement), the curve beside it on the same α, hover and click of a
// cell, the click-through to a target word's instances (BERT clusters beside Word2Sense senses, with
// clouds), the SVG export equal to `landscape render` of the exported JSON, and the view in the URL.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';

const FIX = 'tests/fixtures/landscape';
const S = `${FIX}/senses/semeval2010`;
const W2S = 'public/demo/senses/word2sense-demo.safetensors';
/** Scores are computed from float32 activations on another backend; clusters must agree, so values match closely. */
const TOL = 1e-6;

async function dropCheckpoint(page: Page, name: string) {
  await page.getByTestId('checkpoint-drop-folder').setInputFiles(`${FIX}/${name}`);
  await expect(page.getByTestId(`checkpoint-${name}`)).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
}

/** The table's values of the shown metric: [layer][column]. */
async function shownGrid(page: Page, layers: number[], cols: number): Promise<number[][]> {
  const out: number[][] = [];
  for (const l of layers) {
    const row: number[] = [];
    for (let c = 0; c < cols; c++) {
      const v = await page
        .getByTestId('probe-table')
        .locator(`td[data-layer="${l}"][data-col="${c}"]`)
        .getAttribute('data-value');
      row.push(Number(v));
    }
    out.push(row);
  }
  return out;
}

test('the split view computes a heatmap equal to the CLI, with hover, click-through, exports and URL', async ({
  page,
}, info) => {
  const t0 = Date.now();
  const mark = (what: string) => console.log(`[probe e2e] ${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  // The sense explorer's model is the probe's Word2Sense reference.
  await page.goto('/#view=senses');
  await page.getByTestId('model-drop-input').setInputFiles(W2S);
  await expect(page.getByTestId('model-panel')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  mark('model loaded');
  await page.getByTestId('tab-landscapes').click();
  await dropCheckpoint(page, 'origin');
  await dropCheckpoint(page, 'ft-a');
  await page.getByTestId('alpha-n').fill('3'); // α = -0.5, 0.5, 1.5 (the studio's default range)
  // The curve side offers the studio's 1D curve on the same α (not computed here, to keep the test short).
  await expect(page.getByTestId('probe-run-curve')).toBeVisible();
  mark('checkpoints');
  await expect(page.getByTestId('probe-w2s')).toBeVisible();
  await page.getByTestId('probe-k').fill('2');
  await page.getByTestId('probe-layers').fill('0,2');
  await page.getByTestId('probe-max').fill('5'); // the first 5 instances of each target word
  await page
    .getByTestId('probe-files-input')
    .setInputFiles([
      `${S}/test_data/nouns/access.n.xml`,
      `${S}/test_data/verbs/lay.v.xml`,
      `${S}/evaluation/unsup_eval/keys/all.key`,
    ]);
  await expect(page.getByTestId('probe-files-list')).toContainText('all.key');
  await page.getByTestId('probe-compute').click();
  await expect(page.getByTestId('probe-run')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  mark('heatmap computed');

  const cli = JSON.parse(
    execFileSync(
      'node',
      [
        ...['bin/sensescape.mjs', 'landscape', 'senses', '--origin', `${FIX}/origin`, '--toward', `${FIX}/ft-a`],
        ...['--range', '-0.5:1.5:3', '--task', 'semeval2010', '--data', S, '--clusters', '2', '--layers', '0,2'],
        ...['--w2s', W2S, '--max-instances', '5', '--max-length', '48', '--batch', '16', '--json'],
      ],
      { encoding: 'utf8' },
    ),
  );
  mark('CLI');
  expect(cli.layers).toEqual([0, 2]);
  expect(cli.alphas).toHaveLength(3);
  for (const metric of ['f_score', 'v_measure', 'w2s_agreement']) {
    await page.getByTestId('probe-metric').selectOption(metric);
    const want = metric === 'w2s_agreement' ? cli.w2s_agreement : cli.scores[metric];
    const got = await shownGrid(page, [0, 2], 3);
    got.forEach((row, l) =>
      row.forEach((v, c) => expect(Math.abs(v - want[l][c]), `${metric} [${l}][${c}]`).toBeLessThanOrEqual(TOL)),
    );
  }
  await expect(page.getByTestId('probe-heatmap').locator('rect[data-layer]')).toHaveCount(6);
  await page.getByTestId('probe-metric').selectOption('f_score');
  await expect(page.getByTestId('probe-reference')).toContainText('Word2Sense (same instances)');

  // Hover a cell for its scores, click it to choose the clusters shown below.
  const cell = page.getByTestId('probe-heatmap').locator('rect[data-layer="2"][data-col="1"]');
  await cell.hover({ position: { x: 4, y: 4 } }); // a corner: the value label covers the centre
  await expect(page.getByTestId('probe-readout')).toContainText('layer 2, α 0.5: f_score');
  await cell.click({ position: { x: 4, y: 4 } });
  await page.getByTestId('probe-word-access.n').click();
  const rows = page.getByTestId('probe-instances').locator('tbody tr');
  await expect(rows).toHaveCount(5);
  await expect(page.getByTestId('probe-instances-at')).toHaveAttribute('data-layer', '2');
  await expect(page.getByTestId('probe-instances-at')).toHaveAttribute('data-col', '1');
  for (const r of await rows.all()) {
    expect(['1', '2']).toContain(await r.getAttribute('data-cluster'));
    expect(await r.getAttribute('data-sense')).toMatch(/^\d+$/);
  }
  await expect(page.getByTestId('probe-clouds').locator('svg').first()).toBeAttached({ timeout: 30_000 });

  mark('click-through');
  // Exports: the JSON is the service's result; the SVG is `landscape render` of that JSON.
  const json = page.waitForEvent('download');
  await page.getByTestId('probe-export-json').click();
  const saved = JSON.parse(readFileSync(await (await json).path(), 'utf8'));
  expect(saved.layers).toEqual([0, 2]);
  const ids = (await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id') ?? ''))) as string[];
  const clusters = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-cluster'))));
  const idx = ids.map((id) => saved.detail.instances.findIndex((i: { id: string }) => i.id === id));
  expect(idx.map((i) => saved.detail.clusters[1][1][i])).toEqual(clusters);
  const jsonPath = info.outputPath('senses.json');
  writeFileSync(jsonPath, JSON.stringify(saved));
  const svgPath = info.outputPath('cli.svg');
  execFileSync('node', [
    'bin/sensescape.mjs',
    'landscape',
    'render',
    jsonPath,
    '--metric',
    'f_score',
    '--svg',
    svgPath,
  ]);
  const svg = page.waitForEvent('download');
  await page.getByTestId('probe-export-svg').click();
  expect(readFileSync(await (await svg).path(), 'utf8')).toBe(readFileSync(svgPath, 'utf8'));
  const csv = page.waitForEvent('download');
  await page.getByTestId('probe-export-csv').click();
  expect(
    readFileSync(await (await csv).path(), 'utf8')
      .trim()
      .split('\n'),
  ).toHaveLength(1 + 3 * 6 + 2);

  mark('exports');
  // The URL keeps the view: after a reload the inputs and the choice come back.
  const hash = new URLSearchParams((await page.evaluate(() => location.hash)).slice(1));
  expect(hash.get('view')).toBe('landscapes');
  expect(hash.get('probe_word')).toBe('access.n');
  expect(hash.get('probe_layer')).toBe('2');
  await page.reload();
  await expect(page.getByTestId('probe-k')).toHaveValue('2');
  await expect(page.getByTestId('probe-layers')).toHaveValue('0,2');
  expect(new URLSearchParams((await page.evaluate(() => location.hash)).slice(1)).get('probe_col')).toBe('1');
  mark('reload');
});
