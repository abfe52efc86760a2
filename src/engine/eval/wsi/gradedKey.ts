/**
 * Graded sense keys (`lemma.pos instance sense[/weight] …`), read exactly as the SemEval-2013
 * Task 13 scorers' KeyUtil.loadKey does: tokens split on single spaces, `!!` ends the labels,
 * a label without `/weight` gets weight 0 and then turns every label of that instance to 1,
 * otherwise weights are divided by the instance's largest weight. A repeated instance line
 * replaces the earlier one. (Blank lines, which make the jar throw, are skipped.)
 */
import { InputError } from '../../util/errors';
import { javaLines, javaParseDouble, javaSplit } from './javaText';

/** term → instance → sense → weight in (0, 1] (insertion-ordered, like the jar's LinkedHashMaps). */
export type GradedKey = Map<string, Map<string, Map<string, number>>>;

/** Parses a graded key; `name` is used in error messages. */
export function parseGradedKey(text: string, name = 'key'): GradedKey {
  const key: GradedKey = new Map();
  javaLines(text).forEach((line, i) => {
    if (line.trim() === '') return;
    const parts = javaSplit(line, ' ');
    if (parts.length < 3) throw new InputError(`${name}: line ${i + 1} needs "lemma.pos instance sense[/weight] …"`);
    const [term, instance] = parts;
    const ratings = new Map<string, number>();
    let max = 0;
    let weighted = 0;
    for (let j = 2; j < parts.length; j++) {
      if (parts[j].startsWith('!!')) break;
      const sw = javaSplit(parts[j], '/');
      if (sw.length === 0) throw new InputError(`${name}: line ${i + 1}: empty sense label "${parts[j]}"`);
      if (sw.length === 1) {
        ratings.set(sw[0], 0);
        continue;
      }
      const w = javaParseDouble(sw[1]);
      if (w === undefined) throw new InputError(`${name}: line ${i + 1}: malformed sense weight in "${parts[j]}"`);
      ratings.set(sw[0], w);
      if (w > max) max = w;
      weighted++;
    }
    if (weighted !== ratings.size) for (const s of ratings.keys()) ratings.set(s, 1);
    else for (const [s, w] of ratings) ratings.set(s, w / max);
    let instances = key.get(term);
    if (!instances) key.set(term, (instances = new Map()));
    instances.set(instance, ratings);
  });
  return key;
}

/** Keeps the terms whose part of speech (after the last '.') is `pos` ('n', 'v', 'j', …). */
export function filterKeyByPos(key: GradedKey, pos: string): GradedKey {
  const out: GradedKey = new Map();
  for (const [term, inst] of key) if (term.slice(term.lastIndexOf('.') + 1) === pos) out.set(term, inst);
  return out;
}
