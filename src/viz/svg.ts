/**
 * Tiny helpers to write standalone SVG as strings (no DOM): escaping, number formatting for path
 * data, and an element builder. Every renderer in viz/ builds on these so exports are valid XML.
 */

/** Escapes text and attribute values for XML. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}

/** A coordinate rounded to 2 decimals (keeps files small; sub-pixel enough for print). */
export function num(v: number): string {
  const r = Math.round(v * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

export type Attrs = Record<string, string | number | undefined | null | false>;

/** `<tag attrs>children</tag>` (self-closing when there are no children). Attribute values are escaped; children are raw SVG. */
export function el(tag: string, attrs: Attrs = {}, children: string | string[] = ''): string {
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined && v !== null && v !== false)
    .map(([k, v]) => ` ${k}="${escapeXml(typeof v === 'number' ? num(v) : String(v))}"`)
    .join('');
  const body = Array.isArray(children) ? children.join('') : children;
  return body === '' ? `<${tag}${a}/>` : `<${tag}${a}>${body}</${tag}>`;
}

/** A `<text>` element with escaped content. */
export function text(x: number, y: number, content: string, attrs: Attrs = {}): string {
  return el('text', { x, y, ...attrs }, escapeXml(content));
}

/** The SVG root with namespaces, viewBox, role and ARIA labelling. */
export function svgRoot(
  width: number,
  height: number,
  titleText: string,
  desc: string,
  body: string[],
  id = 'sensescape-figure',
): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    el(
      'svg',
      {
        xmlns: 'http://www.w3.org/2000/svg',
        version: '1.1',
        width,
        height,
        viewBox: `0 0 ${width} ${height}`,
        role: 'img',
        'aria-labelledby': `${id}-title ${id}-desc`,
        style: 'font-family: Helvetica, Arial, sans-serif; background: #ffffff',
      },
      [
        el('title', { id: `${id}-title` }, escapeXml(titleText)),
        el('desc', { id: `${id}-desc` }, escapeXml(desc)),
        ...body,
      ],
    ) +
    '\n'
  );
}

/** `<metadata>` holding a JSON document (escaped), for reproducibility specs. */
export function jsonMetadata(doc: unknown): string {
  return el('metadata', { id: 'sensescape-spec', 'data-format': 'application/json' }, escapeXml(JSON.stringify(doc)));
}
