/**
 * The few pieces of Java text handling the official SemEval scorers rely on, reproduced so the
 * TypeScript ports read keys exactly as the jars do: BufferedReader.readLine line ends,
 * String.split on a literal (trailing empty strings dropped, no-match returns the input),
 * StringTokenizer on spaces, and Double.parseDouble's accepted syntax.
 */

/** Lines as java.io.BufferedReader.readLine yields them (\n, \r\n or \r end a line; no empty last line). */
export function javaLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** java.lang.String.split with a literal one-character separator (limit 0). */
export function javaSplit(s: string, sep: string): string[] {
  if (!s.includes(sep)) return [s];
  const parts = s.split(sep);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** java.util.StringTokenizer(s, " "): the non-empty runs between spaces. */
export function javaTokens(s: string): string[] {
  return s.split(' ').filter((t) => t.length > 0);
}

const JAVA_DOUBLE = /^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?)$/;

/** java.lang.Double.parseDouble for decimal syntax; returns undefined where Java would throw. */
export function javaParseDouble(s: string): number | undefined {
  const t = s.trim();
  if (!JAVA_DOUBLE.test(t)) return undefined;
  const body = t.replace(/[fFdD]$/, '');
  if (/NaN$/.test(body)) return NaN;
  return Number(body);
}
