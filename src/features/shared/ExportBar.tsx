/** Export buttons shared by every figure (landscapes and senses): SVG (the render path), PNG at a chosen scale, data. */
import { useState } from 'react';
import { svgToPng } from '../../viz/rasterize';
import { downloadBlob, downloadText } from '../shared/download';

export function ExportBar({
  svg,
  baseName,
  data,
}: {
  svg: string | null;
  baseName: string;
  data: { label: string; fileName: string; text: () => string; type: string }[];
}) {
  const [scale, setScale] = useState(2);
  return (
    <div className="row export" role="group" aria-label={`export ${baseName}`}>
      <button
        type="button"
        disabled={!svg}
        onClick={() => svg && downloadText(svg, `${baseName}.svg`, 'image/svg+xml')}
        data-testid={`${baseName}-export-svg`}
      >
        SVG
      </button>
      <button
        type="button"
        disabled={!svg}
        onClick={() => svg && void svgToPng(svg, scale).then((b) => downloadBlob(b, `${baseName}@${scale}x.png`))}
        data-testid={`${baseName}-export-png`}
      >
        PNG
      </button>
      <label>
        <span className="visually-hidden">PNG scale</span>
        <select value={scale} onChange={(e) => setScale(Number(e.target.value))}>
          {[1, 2, 3, 4].map((s) => (
            <option key={s} value={s}>
              {s}×
            </option>
          ))}
        </select>
      </label>
      {data.map((d) => (
        <button
          key={d.label}
          type="button"
          onClick={() => downloadText(d.text(), d.fileName, d.type)}
          data-testid={`${baseName}-export-${d.label.toLowerCase()}`}
        >
          {d.label}
        </button>
      ))}
    </div>
  );
}
