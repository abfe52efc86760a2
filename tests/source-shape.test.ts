// Checks on the shape of src/ that anyone can run (README, Architecture): the import graph has no
// cycle, and no file is over 400 lines unless its header says why it is kept whole.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..');
const SRC = join(ROOT, 'src');
const MAX_LINES = 400;
/** A file over the limit must say this in its first comment block, followed by the reason. */
const KEPT_WHOLE = 'Kept whole:';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.(ts|tsx)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** Relative import specifiers of a module: static imports/exports (type-only included) and dynamic imports. */
export function relativeImports(code: string): string[] {
  const out: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;
  for (let m = re.exec(code); m; m = re.exec(code)) out.push(m[1] ?? m[2]);
  return out;
}

function resolveModule(from: string, spec: string, known: Set<string>): string | undefined {
  const base = resolve(dirname(from), spec).replace(/\.(ts|tsx|js|mjs)$/, '');
  for (const c of [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) if (known.has(c)) return c;
  return undefined;
}

/** Strongly connected components with more than one module (or a self-import), by Tarjan's algorithm. */
export function importCycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return cycles;
}

describe('source shape', () => {
  const files = sourceFiles(SRC);
  const known = new Set(files);

  it('finds cycles when there are some (the checker can fail)', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(importCycles(g)).toEqual([['a', 'b', 'c']]);
    expect(relativeImports("import type { X } from './x';\nexport { y } from '../y';\nawait import('./z');")).toEqual([
      './x',
      '../y',
      './z',
    ]);
  });

  it('the import graph of src/ has no cycle', () => {
    const graph = new Map<string, string[]>();
    for (const f of files) {
      const deps = relativeImports(readFileSync(f, 'utf8'))
        .map((s) => resolveModule(f, s, known))
        .filter((d): d is string => d !== undefined);
      graph.set(f, deps);
    }
    const cycles = importCycles(graph).map((c) => c.map((f) => relative(ROOT, f)).join(' ↔ '));
    expect(cycles).toEqual([]);
  });

  it(`no file in src/ is over ${MAX_LINES} lines unless its header says why it is kept whole`, () => {
    const long = files
      .map((f) => {
        const text = readFileSync(f, 'utf8');
        const header = text.match(/^\s*\/\*\*[\s\S]*?\*\//)?.[0] ?? '';
        return { file: relative(ROOT, f), lines: text.split('\n').length - 1, keptWhole: header.includes(KEPT_WHOLE) };
      })
      .filter((f) => f.lines > MAX_LINES && !f.keptWhole)
      .map((f) => `${f.file}: ${f.lines} lines`);
    expect(long).toEqual([]);
  });
});
