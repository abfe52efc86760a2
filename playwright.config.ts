/**
 * Playwright e2e in real Debian Chromium (never a downloaded browser): the production build served by
 * `vite preview`, two projects — `webgpu` (Chromium with --enable-unsafe-webgpu, SwiftShader adapter)
 * and `fallback` (no WebGPU: the app must fall back and still compute correctly). Flags per DESIGN.md.
 */
import { defineConfig } from '@playwright/test';

const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const baseArgs = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--enable-unsafe-swiftshader',
];
// E2E_PORT: a second checkout can run its suite beside this one without reusing the other's server.
const PORT = Number(process.env.E2E_PORT ?? 4173);

export default defineConfig({
  testDir: 'e2e',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: { baseURL: `http://127.0.0.1:${PORT}`, trace: 'retain-on-failure' },
  webServer: {
    command: `npx vite build --logLevel warn && npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}`,
    reuseExistingServer: !process.env.CI,
    timeout: 240_000,
  },
  projects: [
    {
      name: 'webgpu',
      use: {
        browserName: 'chromium',
        launchOptions: { executablePath, args: [...baseArgs, '--enable-unsafe-webgpu'] },
      },
    },
    {
      name: 'fallback',
      testIgnore: '**/webgpu-only/**',
      use: { browserName: 'chromium', launchOptions: { executablePath, args: baseArgs } },
    },
  ],
});
