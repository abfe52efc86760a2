/** Shared e2e helpers: open the app, wait for the compute backend, collect console errors. */
import { execFileSync } from 'node:child_process';
import { expect, type Page } from '@playwright/test';
import { matmulReference, maxAbsDiff } from '../src/engine/tensor/reference';
import { uniformArray } from '../src/engine/util/random';
import type { SensescapeConsoleApi } from '../src/state/debugApi';

/** Opens the app and waits until the compute worker reports a backend. Returns its name. */
export async function openApp(page: Page, path = '/#view=system'): Promise<string> {
  await page.goto(path);
  const card = page.getByTestId('backend-card');
  await expect(card).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  return (await card.getAttribute('data-backend')) ?? '';
}

/** Shows another view of the running app (a hash change: the app's state stays). */
export const showView = (page: Page, view: string) => page.evaluate((v) => (location.hash = `view=${v}`), view);

/** Records console errors and page errors (CSP violations show up here). */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  return errors;
}

/** The console API the app installs on `window.sensescape` (see src/state/debugApi.ts). */
export type ConsoleApi = {
  matmul(a: number[], b: number[], m: number, k: number, n: number): Promise<{ c: number[]; backend: string }>;
  simulateDeviceLoss(): Promise<{ destroyed: boolean }>;
  csrProducts: SensescapeConsoleApi['csrProducts'];
};

/** Multiplies seeded matrices in the worker and returns the max error against the float64 reference. */
export async function workerMatmul(page: Page, m: number, k: number, n: number, seed: number) {
  const a = Array.from(uniformArray(m * k, seed));
  const b = Array.from(uniformArray(k * n, seed + 1));
  const got = await page.evaluate(
    ([a, b, m, k, n]) =>
      (globalThis as unknown as { sensescape: ConsoleApi }).sensescape.matmul(
        a as number[],
        b as number[],
        m as number,
        k as number,
        n as number,
      ),
    [a, b, m, k, n] as const,
  );
  return { ...got, error: maxAbsDiff(got.c, matmulReference(a, b, m, k, n)) };
}

/** A seeded corpus with two clear topics (finance, rivers) sharing the word "bank". */
export function twoTopicCorpus(lines: number): string {
  let s = 7;
  const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const topics = [
    ['bank', 'money', 'loan', 'deposit', 'interest', 'credit', 'cash', 'account'],
    ['bank', 'river', 'water', 'shore', 'fish', 'stream', 'boat', 'flood'],
  ];
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const t = topics[i % 2];
    out.push(Array.from({ length: 12 }, () => t[Math.floor(rand() * t.length)]).join(' ') + '.');
  }
  return out.join('\n') + '\n';
}

/**
 * `landscape curve` of the fixture origin toward ft-a on the fixture train rows with the studio's
 * defaults (α from −0.5 to 1.5 in 5 points, 64 examples, batch 16), as the CLI prints it; `extra` flags appended;
 * `ends` replaces the origin and toward folders.
 */
export function cliFixtureCurve(
  extra: string[] = [],
  ends: { origin: string; toward: string } = {
    origin: 'tests/fixtures/landscape/origin',
    toward: 'tests/fixtures/landscape/ft-a',
  },
): { alphas: number[]; loss: number[] } {
  const F = 'tests/fixtures/landscape';
  const argv = ['landscape', 'curve', '--origin', ends.origin, '--toward', ends.toward];
  const rest = ['--data', `${F}/data/sst2-train.tsv`, '--range', '-0.5:1.5:5', '--max-examples', '64', '--batch', '16'];
  return JSON.parse(
    execFileSync('node', ['bin/sensescape.mjs', ...argv, ...rest, ...extra, '--json'], { encoding: 'utf8' }),
  );
}
