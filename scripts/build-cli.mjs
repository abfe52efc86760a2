// Bundles the CLI with esbuild into dist-cli/ (sensescape.mjs, and the BERT worker threads' entries
// bertWorker.mjs and gradWorker.mjs beside it), so `sensescape` starts without compiling TypeScript at run time and tsx
// is only a development dependency. npm packages stay external (tfjs loads its .wasm files from its
// own folder). Run by `npm install` (prepare) and `npm run build:cli`; bin/sensescape.mjs falls back
// to the sources through tsx when the bundle is missing or older than src/.
import { build } from 'esbuild';

await build({
  entryPoints: {
    sensescape: 'src/cli/main.ts',
    bertWorker: 'src/engine/node/bertWorker.ts',
    gradWorker: 'src/engine/node/gradWorker.ts',
    ldaWorker: 'src/engine/node/ldaWorker.ts',
  },
  outdir: 'dist-cli',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
  // Bundled code still needs require() for the few CommonJS-only built-ins it reaches.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});
