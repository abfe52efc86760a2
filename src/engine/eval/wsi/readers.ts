/**
 * Readers for the WSI test sets (pure text in, instances out; the CLI reads the files):
 * - SemEval-2010 Task 14 test XML: root `<lemma.pos.test>`, one element per instance named by its
 *   id (`<access.n.1>`), holding a few sentences with the target's in `<TargetSentence>`;
 * - SemEval-2013 Task 13 per-lemma XML (`contexts/xml-format/*.xml`): `<instance id lemma
 *   partOfSpeech token tokenStart tokenEnd>text</instance>`, the target at [tokenStart, tokenEnd).
 */
import { InputError } from '../../util/errors';

/** One test instance of a target word. */
export interface WsiInstance {
  /** Instance id as the keys use it (`access.n.1`). */
  id: string;
  /** Target as the keys use it (`access.n`). */
  term: string;
  lemma: string;
  pos: string;
  /** All the instance's text (entities decoded, tags removed). */
  text: string;
  /** SemEval-2010: the sentence holding the target. */
  targetSentence?: string;
  /** SemEval-2013: the target token and its character span in `text`. */
  target?: { token: string; start: number; end: number };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes XML character references and the five predefined entities. */
export function decodeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (ref: string, e: string) => {
    if (e[0] !== '#') return ENTITIES[e];
    const cp = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    // XML allows only Unicode scalar values (not surrogates, not above U+10FFFF)
    if (!(cp >= 1 && cp <= 0x10ffff) || (cp >= 0xd800 && cp <= 0xdfff))
      throw new InputError(`character reference ${ref.slice(0, 20)} is not a Unicode character`);
    return String.fromCodePoint(cp);
  });
}

function stripTags(s: string): string {
  return s.replace(/<[^>]*>/g, ' ');
}

/** Instances of one SemEval-2010 test file (`name` is used in errors and, if needed, for the term). */
export function parseSemeval2010Xml(xml: string, name: string): WsiInstance[] {
  const root = /<([A-Za-z][\w-]*\.[a-z])\.test>/.exec(xml);
  if (!root) throw new InputError(`${name}: not a SemEval-2010 test file (no <lemma.pos.test> root element)`);
  const term = root[1];
  const [lemma, pos] = [term.slice(0, term.lastIndexOf('.')), term.slice(term.lastIndexOf('.') + 1)];
  const out: WsiInstance[] = [];
  const re = /<([A-Za-z][\w-]*\.[a-z]\.\d+)>([\s\S]*?)<\/\1>/g;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    const body = m[2];
    const ts = /<TargetSentence>([\s\S]*?)<\/TargetSentence>/.exec(body);
    out.push({
      id: m[1],
      term,
      lemma,
      pos,
      text: decodeXml(stripTags(body)).replace(/\s+/g, ' ').trim(),
      targetSentence: ts ? decodeXml(stripTags(ts[1])).replace(/\s+/g, ' ').trim() : undefined,
    });
  }
  if (out.length === 0) throw new InputError(`${name}: no instances under <${term}.test>`);
  return out;
}

function attributes(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([\w:-]+)\s*=\s*"([^"]*)"/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out[m[1]] = decodeXml(m[2]);
  return out;
}

/** Instances of one SemEval-2013 per-lemma XML file. */
export function parseSemeval2013Xml(xml: string, name: string): WsiInstance[] {
  const out: WsiInstance[] = [];
  const re = /<instance\b([^>]*)>([\s\S]*?)<\/instance>/g;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    const a = attributes(m[1]);
    if (!a.id || !a.lemma || !a.partOfSpeech)
      throw new InputError(`${name}: an <instance> lacks id, lemma or partOfSpeech`);
    const text = decodeXml(m[2]);
    const inst: WsiInstance = {
      id: a.id,
      term: `${a.lemma}.${a.partOfSpeech}`,
      lemma: a.lemma,
      pos: a.partOfSpeech,
      text,
    };
    const start = Number(a.tokenStart);
    const end = Number(a.tokenEnd);
    if (Number.isInteger(start) && Number.isInteger(end) && end > start) {
      let s = start;
      // Offsets are into the decoded text; if they miss the token, take its nearest occurrence.
      if (a.token && text.slice(start, end) !== a.token) {
        const near = [text.lastIndexOf(a.token, start), text.indexOf(a.token, start)].filter((i) => i >= 0);
        if (near.length) s = near.sort((x, y) => Math.abs(x - start) - Math.abs(y - start))[0];
      }
      inst.target = {
        token: a.token ?? text.slice(start, end),
        start: s,
        end: s + (a.token ? a.token.length : end - start),
      };
    }
    out.push(inst);
  }
  if (out.length === 0) throw new InputError(`${name}: no <instance> elements`);
  return out;
}

/**
 * The instances of a SemEval test set from its XML files (2010: `test_data/*.xml`, root
 * `<lemma.pos.test>`; 2013: `contexts/xml-format/*.xml`, `<instances>`); files of the other kind are
 * skipped. An InputError names `where` when none is found.
 */
export function instancesFromXml(
  task: 'semeval2010' | 'semeval2013',
  files: readonly { name: string; text: string }[],
  where: string,
): WsiInstance[] {
  const out: WsiInstance[] = [];
  for (const f of files) {
    if (task === 'semeval2010') {
      if (/<[A-Za-z][\w-]*\.[a-z]\.test>/.test(f.text)) out.push(...parseSemeval2010Xml(f.text, f.name));
    } else if (/<instances\b/.test(f.text)) out.push(...parseSemeval2013Xml(f.text, f.name));
  }
  if (out.length === 0)
    throw new InputError(
      `${where}: no ${task === 'semeval2010' ? 'SemEval-2010 <lemma.pos.test>' : 'SemEval-2013 <instances>'} XML files found`,
    );
  return out;
}
