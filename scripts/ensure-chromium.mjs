#!/usr/bin/env node
// Makes sure a Chromium for the e2e suite exists before `npm test` runs Playwright.
// Looks at $CHROMIUM_PATH, else /usr/bin/chromium. If missing and we are root with apt-get, installs
// Debian's `chromium` package; otherwise stops with the exact command to run. Never skips e2e.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (existsSync(path)) process.exit(0);

if (process.env.CHROMIUM_PATH) {
  console.error(
    `sensescape: CHROMIUM_PATH=${path} does not exist; point it at a Chromium binary or unset it to use /usr/bin/chromium`,
  );
  process.exit(1);
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (isRoot && hasApt) {
  console.error('sensescape: /usr/bin/chromium not found; installing Debian chromium for the e2e suite (apt-get)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', 'chromium'],
  ]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) {
      console.error(
        `sensescape: 'apt-get ${args.join(' ')}' failed; install it yourself: sudo apt-get install -y chromium`,
      );
      process.exit(1);
    }
  }
  if (existsSync(path)) process.exit(0);
}
console.error(
  'sensescape: the e2e suite needs Chromium and none was found. Run:  sudo apt-get install -y chromium   (or set CHROMIUM_PATH)',
);
process.exit(1);
