// Lint configuration. Its main job is DESIGN.md's one rule: layers point down only.
//   features → state → workers → engine,  features → viz,  cli → engine (+ viz for SVG rendering).
// engine/ never sees React, the DOM store, d3 or the layers above it; components never import tfjs.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const layer = (name) => ({
  group: [`**/${name}/**`, `**/${name}`, `../${name}/*`, `../../${name}/*`],
  message: `this layer may not import ${name}/ (DESIGN.md: layers point down only)`,
});
const react = {
  group: ['react', 'react-dom', 'react-dom/*', 'zustand', 'zustand/*'],
  message: 'no React or zustand below features/ and state/',
};
const d3 = { group: ['d3-*', 'd3'], message: 'd3 belongs to viz/ and features/' };
const computeClient = {
  group: ['**/state/compute', '**/workers/client', '**/workers/computeClient'],
  message: 'screens call store actions (newest request wins), never the compute client',
};
const tfjs = { group: ['@tensorflow/*'], message: 'only engine/ and workers/ talk to tfjs' };
// Two seams beyond the layers: Node built-ins only in engine/node/ (so the browser bundle cannot
// reach fs or worker_threads), and test helpers in src/testing/ that no shipped module imports.
// Test files keep their layer's rule but may use both; src/testing/ itself is outside the layers.
const nodeBuiltins = {
  group: ['node:*'],
  message: 'Node built-ins only in src/engine/node/ (the browser bundle must never reach them)',
};
const testing = {
  group: ['**/testing/**', '**/testing'],
  message: 'src/testing/ holds test helpers; shipped code may not import it',
};
const restrict = (...patterns) => ({
  '@typescript-eslint/no-restricted-imports': [
    'error',
    { patterns: patterns.map((p) => ({ ...p, allowTypeImports: p.allowTypeImports ?? false })) },
  ],
});
const TESTS = ['**/*.test.ts', '**/*.test.tsx'];
/** A layer's rule: for its shipped files with both seams (Node built-ins allowed where `node`), for its tests without. */
const layerRules = (files, patterns, { node = false } = {}) => [
  { files, ignores: TESTS, rules: restrict(...patterns, testing, ...(node ? [] : [nodeBuiltins])) },
  {
    files: files.filter((f) => f.includes('*')).map((f) => f.replace(/\*\.tsx?$/, '*.test.ts')),
    rules: restrict(...patterns),
  },
];
const ENGINE = [layer('features'), layer('state'), layer('viz'), layer('workers'), layer('cli'), react, d3];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'dist-cli/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
      'public/**',
      'tools/**/*.py',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.property.name=/^(dataSync|arraySync)$/]',
          message: 'never read tensors synchronously (DESIGN.md): use `await t.data()`',
        },
      ],
    },
  },
  ...layerRules(['src/engine/**/*.ts'], ENGINE),
  ...layerRules(['src/engine/node/**/*.ts'], ENGINE, { node: true }),
  ...layerRules(['src/workers/**/*.ts'], [layer('features'), layer('state'), layer('viz'), layer('cli'), react, d3]),
  ...layerRules(
    ['src/viz/**/*.ts', 'src/viz/**/*.tsx'],
    [
      layer('features'),
      layer('state'),
      layer('workers'),
      layer('cli'),
      { ...layer('engine'), allowTypeImports: true },
      react,
      tfjs,
    ],
  ),
  ...layerRules(
    ['src/state/**/*.ts'],
    [layer('features'), layer('viz'), layer('cli'), { ...layer('engine'), allowTypeImports: true }, tfjs, d3],
  ),
  ...layerRules(
    ['src/features/**/*.ts', 'src/features/**/*.tsx', 'src/main.tsx'],
    [layer('cli'), { ...layer('engine'), allowTypeImports: true }, tfjs, computeClient],
  ),
  ...layerRules(['src/cli/**/*.ts'], [layer('features'), layer('state'), layer('workers'), react, d3]),
  {
    files: ['src/features/**/*.tsx', 'src/main.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
);
