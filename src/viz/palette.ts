/** Colour-blind-safe categorical palette (Okabe & Ito 2008), used for senses, series and clouds. */
export const OKABE_ITO = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#D55E00',
  '#CC79A7',
  '#56B4E9',
  '#8C7A00',
  '#000000',
] as const;

/** The palette colour of category k (stable: a sense keeps its colour across views). */
export function categoryColor(k: number): string {
  return OKABE_ITO[((k % OKABE_ITO.length) + OKABE_ITO.length) % OKABE_ITO.length];
}
