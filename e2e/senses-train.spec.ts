// Training Word2Sense in the browser on a tiny two-topic corpus dropped through the real file input:
// it trains to completion on the project's backend, the model is explorable, and a second run
// can be cancelled mid-way.
import { readFileSync, writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { twoTopicCorpus } from './helpers';

test('the bundled demo corpus is one click away', async ({ page }) => {
  await page.goto('/#view=senses');
  await page.getByTestId('demo-corpus').click();
  await expect(page.getByTestId('corpus-stats')).toContainText('moby-dick.txt.gz');
});

// The responsiveness check below measures main-thread script time in wall-clock terms, so a CPU stall
// can push one script past 100 ms: on 2026-12-03 it failed in 2 of 3 full two-project runs on this
// 2-core box (164 ms at load 13, 152 ms at load 3; always in the fallback project, after the webgpu
// one) and passed in 6 runs of the test alone or of the fallback project alone, with no script over
// 40 ms. One retry (a fresh browser): a real regression fails both tries. The cause of the stall is
// not found yet.
test.describe.configure({ retries: 1 });

test('train on a dropped corpus, explore the result, cancel a second run', async ({ page }, info) => {
  const corpus = info.outputPath('two-topics.txt');
  writeFileSync(corpus, twoTopicCorpus(300));
  await page.goto('/#view=senses');
  await page.getByTestId('corpus-drop-input').setInputFiles(corpus);
  await expect(page.getByTestId('corpus-stats')).toContainText('two-topics.txt');
  await page.getByText('Hyperparameters').click();
  for (const [k, v] of [
    ['senses', '4'],
    ['merged', '3'],
    ['nnz', '3'],
    ['iters', '4'],
    ['minCount', '1'],
    ['subsample', '0'],
  ])
    await page.getByTestId(`hp-${k}`).fill(v);
  // The UI thread must stay responsive while the worker trains: no script run on the main thread may
  // take over 100 ms. Long-animation-frame entries attribute script time per frame (wall-clock task
  // lengths on this shared 2-core machine mostly measure CPU starvation by SwiftShader, not our code).
  await page.evaluate(() => {
    const w = window as unknown as { scriptMs: number[] };
    w.scriptMs = [];
    new PerformanceObserver((list) =>
      list
        .getEntries()
        .forEach((e) =>
          (e as unknown as { scripts: { duration: number }[] }).scripts.forEach((sc) => w.scriptMs.push(sc.duration)),
        ),
    ).observe({ type: 'long-animation-frame' });
  });
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-panel')).toHaveAttribute('data-state', 'done', { timeout: 180_000 });
  const scriptMs = await page.evaluate(() => (window as unknown as { scriptMs: number[] }).scriptMs);
  expect(Math.max(0, ...scriptMs)).toBeLessThanOrEqual(100);
  await expect(page.getByTestId('perplexity-chart').locator('circle')).toHaveCount(4);
  await expect(page.getByTestId('model-summary')).toContainText('15 words');

  await page.getByTestId('word-search').fill('bank');
  await page.getByTestId('word-go').click();
  await expect(page.getByTestId('word-view')).toHaveAttribute('data-word', 'bank');
  await expect(page.getByTestId('word-bars').locator('rect.bar')).not.toHaveCount(0);
  const cloudWords = page.getByTestId('cloud-top').locator('text.cloud-word');
  await expect(cloudWords.first()).toBeAttached();
  const words = await cloudWords.allTextContents();
  const download = page.waitForEvent('download');
  await page.getByTestId('cloud-top').locator('[data-testid$="-export-svg"]').click();
  const cloudSvg = readFileSync(await (await download).path(), 'utf8');
  for (const w of words) expect(cloudSvg).toContain(`>${w}</text>`);
  const parsed = await page.evaluate(
    (text) => new DOMParser().parseFromString(text, 'image/svg+xml').querySelector('parsererror') === null,
    cloudSvg,
  );
  expect(parsed).toBe(true);
  const other = words.find((w) => w !== 'bank')!;
  await cloudWords
    .filter({ hasText: new RegExp(`^${other}$`) })
    .first()
    .click();
  await expect(page.getByTestId('word-view')).toHaveAttribute('data-word', other);

  // Evaluate on the bundled sets (served by the app itself) and draw the sense map.
  await page.getByTestId('run-eval').click();
  await expect(page.getByTestId('eval-table')).toContainText('WS-353-ALL');
  await expect(page.getByTestId('eval-table')).toContainText('baroni2012-leds');
  await page.getByTestId('load-map').click();
  await expect(page.getByTestId('sense-map').locator('circle.map-sense')).toHaveCount(3);
  const mapDownload = page.waitForEvent('download');
  await page.getByTestId('sense-map-export-svg').click();
  const mapSvg = readFileSync(await (await mapDownload).path(), 'utf8');
  expect(mapSvg.match(/<circle[^>]*class="map-sense"/g)).toHaveLength(3);
  expect(mapSvg).toContain('<metadata');

  // The trained model survives a reload (IndexedDB), with the explored word restored from the URL.
  await page.reload();
  await expect(page.getByTestId('model-summary')).toContainText('15 words');
  await expect(page.getByTestId('word-view')).toHaveAttribute('data-word', other);

  // A second, longer run, cancelled while it trains: the page stays usable and the old model stays.
  await page.getByText('Hyperparameters').click();
  for (const [k, v] of [
    ['senses', '4'],
    ['merged', '3'],
    ['nnz', '3'],
    ['iters', '500'],
    ['minCount', '1'],
    ['subsample', '0'],
  ])
    await page.getByTestId(`hp-${k}`).fill(v);
  await page.getByTestId('corpus-drop-input').setInputFiles(corpus);
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-progress')).toHaveAttribute('data-stage', 'lda', { timeout: 60_000 });
  await page.getByTestId('train-cancel').click();
  await expect(page.getByTestId('train-panel')).toHaveAttribute('data-state', 'cancelled', { timeout: 30_000 });
});
