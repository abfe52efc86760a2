// The sense explorer in a real browser: drop a Word2Sense model file through the real input, search a
// word, see its senses and cloud, follow a cloud word, export the cloud SVG, reload and find the model.
import { readFileSync, writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { bankModel } from '../src/testing/contextPlanted';
import { writeWord2SenseModel } from '../src/engine/word2sense/modelFile';

test('explore a word, follow a cloud word, export the cloud, survive a reload', async ({ page }, info) => {
  const modelPath = info.outputPath('bank.safetensors');
  writeFileSync(modelPath, writeWord2SenseModel(bankModel));
  await page.goto('/#view=senses');
  await page.getByTestId('model-drop-input').setInputFiles(modelPath);
  await expect(page.getByTestId('model-summary')).toContainText(`${bankModel.V} words`);

  await page.getByTestId('word-search').fill('bank');
  await page.getByTestId('word-go').click();
  const view = page.getByTestId('word-view');
  await expect(view).toHaveAttribute('data-word', 'bank');
  await expect(page.getByTestId('word-bars').locator('rect.bar')).not.toHaveCount(0);
  await expect(page.getByTestId('neighbours').locator('li')).not.toHaveCount(0);
  const cloudWords = page.getByTestId('cloud-top').locator('text.cloud-word');
  await expect(cloudWords.first()).toBeAttached();
  const words = await cloudWords.allTextContents();
  expect(words.length).toBeGreaterThan(1);

  const download = page.waitForEvent('download');
  await page.getByTestId('cloud-top').locator('[data-testid$="-export-svg"]').click();
  const svg = readFileSync(await (await download).path(), 'utf8');
  for (const w of words) expect(svg).toContain(`>${w}</text>`);
  const parsed = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    return {
      error: doc.querySelector('parsererror')?.textContent ?? null,
      root: doc.documentElement.nodeName,
      words: doc.querySelectorAll('text.cloud-word').length,
    };
  }, svg);
  expect(parsed).toEqual({ error: null, root: 'svg', words: words.length });

  const other = words.find((w) => w !== 'bank')!;
  await cloudWords
    .filter({ hasText: new RegExp(`^${other}$`) })
    .first()
    .click();
  await expect(view).toHaveAttribute('data-word', other);
  await expect(page).toHaveURL(new RegExp(`word=${other}`));

  // In context: "bank" next to river words selects the river sense more than out of context.
  await page.getByTestId('context-text').fill('the bank of the river water shore');
  await page.getByTestId('token-1').click();
  const result = page.getByTestId('context-result').first();
  await expect(result).toHaveAttribute('data-word', 'bank');
  await expect(result.locator('rect.bar')).not.toHaveCount(0);
  const rows = await result
    .locator('table tbody tr')
    .evaluateAll((trs) => trs.map((tr) => Array.from(tr.children).map((c) => c.textContent ?? '')));
  const river = rows.find((r) => /river|water|shore/.test(r[0]));
  expect(river, `a river sense among ${JSON.stringify(rows)}`).toBeTruthy();
  expect(Number(river![1])).toBeGreaterThan(Number(river![2]));

  await page.reload();
  await expect(page.getByTestId('model-summary')).toContainText(`${bankModel.V} words`);
  await expect(page.getByTestId('word-view')).toHaveAttribute('data-word', other);
});

test('a malformed model file is refused with the reason', async ({ page }, info) => {
  const bad = info.outputPath('bad.safetensors');
  writeFileSync(bad, new Uint8Array([1, 2, 3]));
  await page.goto('/#view=senses');
  await page.getByTestId('model-drop-input').setInputFiles(bad);
  await expect(page.getByTestId('model-error')).toContainText('bad.safetensors');
});
