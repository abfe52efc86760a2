/**
 * Word clouds for senses: `layoutCloud` places words with d3-cloud (font size ∝ √weight, seeded so a
 * sense always looks the same), and `renderCloudSvg` turns the placement into a standalone SVG — the
 * same string for the screen and the download, returned with its layout. Layout needs a canvas
 * (browser), rendering does not.
 */
import cloud from 'd3-cloud';
import { linear } from './axes';
import type { SvgLayout } from './layout';
import { categoryColor } from './palette';
import { el, escapeXml, jsonMetadata, num, svgRoot } from './svg';

export interface CloudWord {
  text: string;
  /** Any positive weight (probability or exp(relevance)). */
  weight: number;
}

export interface PlacedWord extends CloudWord {
  size: number;
  x: number;
  y: number;
  rotate: number;
}

export interface CloudOptions {
  width?: number;
  height?: number;
  seed?: number;
  minFont?: number;
  maxFont?: number;
}

/** A seeded xorshift32 generator for d3-cloud's placement (viz/ stays independent of engine/). */
function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

type SizedWord = cloud.Word & { text: string; weight: number; size: number };

/** Lays words out (largest first); words that do not fit are dropped. */
export function layoutCloud(words: readonly CloudWord[], opts: CloudOptions = {}): Promise<PlacedWord[]> {
  const width = opts.width ?? 360;
  const height = opts.height ?? 220;
  const max = Math.max(...words.map((w) => w.weight), 1e-12);
  const minFont = opts.minFont ?? 10;
  const maxFont = opts.maxFont ?? 38;
  const sized: SizedWord[] = words.map((w) => ({
    ...w,
    size: minFont + (maxFont - minFont) * Math.sqrt(Math.max(0, w.weight) / max),
  }));
  return new Promise((resolve) => {
    cloud<SizedWord>()
      .size([width, height])
      .words(sized.map((w) => ({ ...w })))
      .padding(2)
      .rotate(() => 0)
      .font('Helvetica, Arial, sans-serif')
      .fontSize((d) => d.size ?? minFont)
      .random(xorshift(opts.seed ?? 1))
      .on('end', (placed) =>
        resolve(
          placed.map((p) => ({
            text: p.text ?? '',
            weight: p.weight,
            size: p.size ?? minFont,
            x: p.x ?? 0,
            y: p.y ?? 0,
            rotate: p.rotate ?? 0,
          })),
        ),
      )
      .start();
  });
}

export interface CloudSvgSpec {
  title: string;
  /** A line under the title (e.g. the λ used). */
  subtitle?: string;
  width?: number;
  height?: number;
  /** Palette index of the sense (stable colour). */
  colorIndex?: number;
  metadata?: unknown;
}

/**
 * A rendered cloud: `x` and `y` map d3-cloud's centred word coordinates (`PlacedWord.x/y`, the word's
 * baseline centre) to user units; `plotRect` is the cloud's box under the title.
 */
export type CloudLayout = SvgLayout;

/** A standalone SVG of a laid-out cloud; each word is a <text> with its weight in data-weight. */
export function renderCloudSvg(placed: readonly PlacedWord[], spec: CloudSvgSpec): CloudLayout {
  const width = spec.width ?? 360;
  const height = spec.height ?? 220;
  const top = spec.subtitle ? 44 : 30;
  const color = categoryColor(spec.colorIndex ?? 0);
  const words = placed.map((p) =>
    el(
      'text',
      {
        x: num(p.x + width / 2),
        y: num(p.y + height / 2 + top),
        'font-size': num(p.size),
        'text-anchor': 'middle',
        fill: color,
        'fill-opacity': num(0.55 + 0.45 * Math.min(1, p.size / 30)),
        class: 'cloud-word',
        'data-weight': p.weight,
      },
      escapeXml(p.text),
    ),
  );
  const body = [
    el('text', { x: 8, y: 18, 'font-size': 14, 'font-weight': 'bold', fill: '#222222' }, escapeXml(spec.title)),
    ...(spec.subtitle ? [el('text', { x: 8, y: 34, 'font-size': 11, fill: '#555555' }, escapeXml(spec.subtitle))] : []),
    el('g', { class: 'cloud', 'aria-label': `word cloud: ${placed.map((p) => p.text).join(', ')}` }, words),
    ...(spec.metadata !== undefined ? [jsonMetadata(spec.metadata)] : []),
  ];
  const svg = svgRoot(
    width,
    height + top,
    spec.title,
    `Word cloud of ${placed.length} words; size grows with the square root of the weight.`,
    body,
    'sensescape-cloud',
  );
  return {
    svg,
    width,
    height: height + top,
    x: linear([-width / 2, width / 2], [0, width]),
    y: linear([-height / 2, height / 2], [top, top + height]),
    plotRect: { left: 0, top, width, height },
  };
}
