/**
 * A small XML well-formedness checker for exported SVGs (tests, and the app's "is this export valid"
 * self-check): balanced tags, quoted and unique attributes, only the five predefined entities or
 * numeric references, one root element. Returns element counts by tag name, or throws a one-line
 * error with the offset.
 */

export interface XmlSummary {
  root: string;
  counts: Map<string, number>;
  /** Attributes of every element, in document order (for targeted assertions). */
  elements: { tag: string; attrs: Record<string, string>; text: string }[];
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;

function checkText(s: string, at: number): string {
  const bad = /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.exec(s);
  if (bad) throw new Error(`XML: bad entity reference near offset ${at + bad.index}`);
  if (s.includes('<')) throw new Error(`XML: stray '<' near offset ${at}`);
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Parses `xml` enough to prove it well-formed; throws on the first problem. */
export function checkXml(xml: string): XmlSummary {
  let i = 0;
  const stack: { tag: string; index: number }[] = [];
  const counts = new Map<string, number>();
  const elements: XmlSummary['elements'] = [];
  let root = '';
  let rootClosed = false;
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end < 0) throw new Error('XML: unterminated declaration');
    i = end + 2;
  }
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const chunk = lt < 0 ? xml.slice(i) : xml.slice(i, lt);
    if (chunk.trim() !== '') {
      if (stack.length === 0) throw new Error(`XML: text outside the root element at offset ${i}`);
      elements[stack[stack.length - 1].index].text += checkText(chunk, i);
    }
    if (lt < 0) break;
    i = lt;
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i);
      if (end < 0) throw new Error(`XML: unterminated comment at offset ${i}`);
      i = end + 3;
      continue;
    }
    if (xml.startsWith('<![CDATA[', i)) {
      const end = xml.indexOf(']]>', i);
      if (end < 0) throw new Error(`XML: unterminated CDATA at offset ${i}`);
      i = end + 3;
      continue;
    }
    if (xml.startsWith('</', i)) {
      const m = NAME.exec(xml.slice(i + 2));
      if (!m) throw new Error(`XML: bad closing tag at offset ${i}`);
      const top = stack.pop();
      if (!top || top.tag !== m[0]) throw new Error(`XML: </${m[0]}> at offset ${i} closes <${top?.tag ?? 'nothing'}>`);
      const gt = xml.indexOf('>', i);
      if (xml.slice(i + 2 + m[0].length, gt).trim() !== '') throw new Error(`XML: junk in closing tag at offset ${i}`);
      i = gt + 1;
      if (stack.length === 0) rootClosed = true;
      continue;
    }
    const m = NAME.exec(xml.slice(i + 1));
    if (!m) throw new Error(`XML: bad tag at offset ${i}`);
    if (rootClosed || (stack.length === 0 && root !== ''))
      throw new Error(`XML: second root element <${m[0]}> at offset ${i}`);
    const tag = m[0];
    let j = i + 1 + tag.length;
    const attrs: Record<string, string> = {};
    for (;;) {
      while (/\s/.test(xml[j] ?? '')) j++;
      if (xml[j] === '>' || xml.startsWith('/>', j)) break;
      const an = NAME.exec(xml.slice(j));
      if (!an) throw new Error(`XML: bad attribute in <${tag}> at offset ${j}`);
      j += an[0].length;
      if (xml[j] !== '=') throw new Error(`XML: attribute ${an[0]} of <${tag}> has no value (offset ${j})`);
      const q = xml[j + 1];
      if (q !== '"' && q !== "'") throw new Error(`XML: attribute ${an[0]} of <${tag}> is not quoted (offset ${j})`);
      const end = xml.indexOf(q, j + 2);
      if (end < 0) throw new Error(`XML: unterminated attribute ${an[0]} at offset ${j}`);
      if (an[0] in attrs) throw new Error(`XML: duplicate attribute ${an[0]} in <${tag}> at offset ${j}`);
      attrs[an[0]] = checkText(xml.slice(j + 2, end), j + 2);
      j = end + 1;
    }
    if (stack.length === 0) root = tag;
    counts.set(tag, (counts.get(tag) ?? 0) + 1);
    elements.push({ tag, attrs, text: '' });
    if (xml.startsWith('/>', j)) {
      i = j + 2;
      if (stack.length === 0) rootClosed = true;
    } else {
      stack.push({ tag, index: elements.length - 1 });
      i = j + 1;
    }
  }
  if (stack.length) throw new Error(`XML: <${stack[stack.length - 1].tag}> is never closed`);
  if (!root) throw new Error('XML: no root element');
  return { root, counts, elements };
}
