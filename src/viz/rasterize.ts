/**
 * PNG export is a render path, not a screenshot (DESIGN.md): the same self-contained SVG string the
 * SVG export writes is drawn onto a canvas at the chosen scale. Browser-only (Image + canvas); the
 * CLI never imports this module.
 */

/** Rasterises a standalone SVG document to a PNG Blob at `scale` × its width/height attributes. */
export async function svgToPng(svg: string, scale = 2, background: string | null = '#ffffff'): Promise<Blob> {
  const { width, height } = svgSize(svg);
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml;charset=utf-8' }));
  try {
    const img = new Image();
    img.decoding = 'async';
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('canvas 2D context unavailable');
    if (background) {
      ctx.fillStyle = background;
      ctx.fillRect(0, 0, canvas.width, canvas.height);
    }
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Width and height from the root element's attributes (falling back to the viewBox). */
export function svgSize(svg: string): { width: number; height: number } {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
  const attr = (name: string) => Number(new RegExp(`\\b${name}="([\\d.]+)`).exec(root)?.[1]);
  let width = attr('width');
  let height = attr('height');
  if (!(width > 0 && height > 0)) {
    const vb = /viewBox="([^"]+)"/
      .exec(root)?.[1]
      ?.split(/[\s,]+/)
      .map(Number);
    if (vb && vb.length === 4) [width, height] = [vb[2], vb[3]];
  }
  if (!(width > 0 && height > 0)) throw new Error('SVG has no width/height or viewBox');
  return { width, height };
}
