#!/usr/bin/env node
// The `sensescape` command. Runs the esbuild bundle in dist-cli/ (made by `npm install` /
// `npm run build:cli`); when it is missing or older than any file in src/ (a developer's edit),
// runs the sources through tsx instead, so the CLI always runs the same engine sources as the app.
// SENSESCAPE_FROM_SOURCE=1 forces the sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = new URL('../dist-cli/sensescape.mjs', import.meta.url);

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = `${dir}/${e.name}`;
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function bundleIsFresh() {
  if (process.env.SENSESCAPE_FROM_SOURCE === '1' || !existsSync(bundle)) return false;
  return !existsSync(`${root}/src`) || statSync(bundle).mtimeMs >= newestMtime(`${root}/src`);
}

let main;
if (bundleIsFresh()) ({ main } = await import(bundle.href));
else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
