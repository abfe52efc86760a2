/**
 * A figure shown from its SVG text (the same string the export downloads) that reports the pointer in
 * the figure's user units, through the layout its renderer returned: the only DOM geometry read is
 * the on-screen box of the rendered `<svg>` (to undo the scaling); the plot geometry itself comes from
 * the layout, never from the DOM. The screen maps the point to data with `figureToData` / `plotAt`.
 */
import { useRef } from 'react';
import { pointerToFigure, type Point } from '../../viz/layout';

export function HoverFigure({
  figure,
  testId,
  onPointer,
}: {
  figure: { svg: string; width: number; height: number };
  testId?: string;
  /** The pointer in user units while it moves over the figure; null when it leaves. */
  onPointer(at: Point | null): void;
}) {
  const host = useRef<HTMLDivElement>(null);
  return (
    <div
      ref={host}
      className="figure"
      data-testid={testId}
      onMouseMove={(e) => {
        const svg = host.current?.querySelector('svg');
        if (svg) onPointer(pointerToFigure(figure, e.clientX, e.clientY, svg.getBoundingClientRect()));
      }}
      onMouseLeave={() => onPointer(null)}
      dangerouslySetInnerHTML={{ __html: figure.svg }}
    />
  );
}
