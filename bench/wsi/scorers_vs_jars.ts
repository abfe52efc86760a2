/**
 * The TypeScript WSI scorers against the official SemEval jars in the same run: wall time of each
 * (the jars' time includes JVM start, as a user running them pays it) and the agreement of totals.
 * Run: npx tsx bench/wsi/scorers_vs_jars.ts   (needs Java and ../shared/data/wsi)
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fuzzyBCubed } from '../../src/engine/eval/wsi/fuzzyBCubed';
import { fuzzyNmi } from '../../src/engine/eval/wsi/fuzzyNmi';
import { parseGradedKey } from '../../src/engine/eval/wsi/gradedKey';
import { scoreSemeval2010 } from '../../src/engine/eval/wsi/semeval2010';

const DATA = resolve(import.meta.dirname, '../../../shared/data/wsi');
const E10 = resolve(DATA, 'semeval2010-task14/SemEval-2010/evaluation/unsup_eval');
const T13 = resolve(DATA, 'semeval2013-task13/SemEval-2013-Task-13-test-data');

function time<T>(f: () => T): [T, number] {
  const t = performance.now();
  const r = f();
  return [r, (performance.now() - t) / 1000];
}

function jar(path: string, args: string[]): string {
  return execFileSync('java', ['-jar', path, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
}

const rows: string[] = [];
for (const key of ['random1', 'mfs_all', '1cl1inst']) {
  const k = resolve(E10, `baselines/${key}.key`);
  const g = resolve(E10, 'keys/all.key');
  const [ts, tTs] = time(() => scoreSemeval2010(readFileSync(g, 'utf8'), readFileSync(k, 'utf8'), 'all'));
  const [fOut, tF] = time(() => jar(resolve(E10, 'fscore.jar'), [k, g, 'all']));
  const [vOut, tV] = time(() => jar(resolve(E10, 'vmeasure.jar'), [k, g, 'all']));
  const f = Number(/Total FScore:(\S+)/.exec(fOut)?.[1]);
  const v = Number(/Total V-Measure:(\S+)/.exec(vOut)?.[1]);
  rows.push(
    `2010 ${key.padEnd(26)} TS ${tTs.toFixed(2)} s  jars ${(tF + tV).toFixed(2)} s  ratio ${((tF + tV) / tTs).toFixed(1)}×  |ΔF| ${Math.abs(ts.fScore - f).toExponential(1)}  V ${ts.vMeasure.toFixed(4)} vs ${v} (jar rounds to 3)`,
  );
}
for (const key of ['random.2-senses.induced', 'mfs.wn', 'all-senses.wn']) {
  const k = resolve(T13, `keys/baselines/${key}.key`);
  const g = resolve(T13, 'keys/gold/all.key');
  const [ts, tTs] = time(() => {
    const gold = parseGradedKey(readFileSync(g, 'utf8'));
    const test = parseGradedKey(readFileSync(k, 'utf8'));
    return { b3: fuzzyBCubed(gold, test), nmi: fuzzyNmi(gold, test) };
  });
  const [bOut, tB] = time(() => jar(resolve(T13, 'scoring/fuzzy-bcubed.jar'), [g, k]));
  const [nOut, tN] = time(() => jar(resolve(T13, 'scoring/fuzzy-nmi.jar'), [g, k]));
  const b = Number(/^all\t\S+\t\S+\t(\S+)$/m.exec(bOut)?.[1]);
  const n = Number(/^all\t(\S+)$/m.exec(nOut)?.[1]);
  rows.push(
    `2013 ${key.padEnd(26)} TS ${tTs.toFixed(2)} s  jars ${(tB + tN).toFixed(2)} s  ratio ${((tB + tN) / tTs).toFixed(1)}×  |ΔB3| ${Math.abs(ts.b3.fScore - b).toExponential(1)}  |ΔNMI| ${Math.abs(ts.nmi.nmi - n).toExponential(1)}`,
  );
}
console.log(rows.join('\n'));
