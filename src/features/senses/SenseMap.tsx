/**
 * A map of all senses: classical MDS on √JS distances between their word distributions, circle area
 * ∝ p(sense). d3-zoom gives zoom and pan (attached in an effect: create → update → destroy); hover
 * names the sense, click explores it. SVG circles stay smooth for a few thousand senses.
 */
import { useEffect, useMemo, useRef } from 'react';
import { select } from 'd3-selection';
import { zoom, type ZoomBehavior } from 'd3-zoom';
import { useShallow } from 'zustand/react/shallow';
import { useSenses } from '../../state/senses';
import { categoryColor } from '../../viz/palette';
import { renderSenseMapSvg } from '../../viz/senseMapSvg';
import { ExportBar } from '../shared/ExportBar';

const W = 640;
const H = 440;

export function SenseMap() {
  const { senseMap, loadSenseMap, exploreSense, sense, modelStatus } = useSenses(
    useShallow((s) => ({
      senseMap: s.senseMap,
      loadSenseMap: s.loadSenseMap,
      exploreSense: s.exploreSense,
      sense: s.sense,
      modelStatus: s.modelStatus,
    })),
  );
  const svgRef = useRef<SVGSVGElement>(null);
  const gRef = useRef<SVGGElement>(null);
  const points = useMemo(() => {
    if (!senseMap) return [];
    const ext = (v: number[]) => [Math.min(...v), Math.max(...v)] as const;
    const [x0, x1] = ext(senseMap.x);
    const [y0, y1] = ext(senseMap.y);
    const pMax = Math.max(...senseMap.p);
    return senseMap.x.map((x, d) => ({
      d,
      cx: 20 + ((x - x0) / (x1 - x0 || 1)) * (W - 40),
      cy: 20 + ((senseMap.y[d] - y0) / (y1 - y0 || 1)) * (H - 40),
      r: 2 + 14 * Math.sqrt(senseMap.p[d] / (pMax || 1)),
      label: senseMap.labels[d],
    }));
  }, [senseMap]);

  useEffect(() => {
    if (!svgRef.current || !gRef.current) return;
    const g = select(gRef.current);
    const behaviour: ZoomBehavior<SVGSVGElement, unknown> = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.5, 40])
      .on('zoom', (event) => g.attr('transform', event.transform.toString()));
    const svg = select(svgRef.current);
    svg.call(behaviour);
    return () => {
      svg.on('.zoom', null);
    };
  }, [senseMap]);

  return (
    <section className="card wide" aria-labelledby="map-title" data-testid="sense-map">
      <h2 id="map-title">Map of senses</h2>
      {!senseMap && (
        <button type="button" onClick={loadSenseMap} disabled={modelStatus !== 'ready'} data-testid="load-map">
          Compute the map
        </button>
      )}
      {senseMap && (
        <>
          <svg
            ref={svgRef}
            width={W}
            height={H}
            viewBox={`0 0 ${W} ${H}`}
            className="map"
            role="img"
            aria-label={`map of ${points.length} senses; scroll to zoom, drag to pan`}
          >
            <rect width={W} height={H} fill="transparent" />
            <g ref={gRef}>
              {points.map((p) => (
                <circle
                  key={p.d}
                  cx={p.cx}
                  cy={p.cy}
                  r={p.r}
                  fill={categoryColor(p.d)}
                  fillOpacity={p.d === sense ? 0.95 : 0.45}
                  stroke={p.d === sense ? '#000' : 'none'}
                  onClick={() => exploreSense(p.d)}
                  className="map-sense"
                  data-sense={p.d}
                >
                  <title>{p.label}</title>
                </circle>
              ))}
            </g>
          </svg>
          <ExportBar
            svg={renderSenseMapSvg(senseMap).svg}
            baseName="sense-map"
            data={[
              {
                label: 'CSV',
                fileName: 'sense-map.csv',
                type: 'text/csv',
                text: () =>
                  [
                    'sense,label,x,y,p',
                    ...senseMap.x.map((x, d) => `${d},"${senseMap.labels[d]}",${x},${senseMap.y[d]},${senseMap.p[d]}`),
                  ].join('\n') + '\n',
              },
            ]}
          />
          <p className="hint">
            Classical MDS of √JS between sense word distributions (each truncated to its top words); the two axes
            explain {(100 * senseMap.explained).toFixed(1)}% of the variance. Area ∝ p(sense).
          </p>
        </>
      )}
    </section>
  );
}
