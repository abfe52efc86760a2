/**
 * A map of all senses: classical MDS on √JS distances between their word distributions, circle area
 * ∝ p(sense). The screen shows the very SVG the export downloads (`renderSenseMapSvg`: one layout, one
 * string); viz's zoom behaviour gives zoom and pan (attached in an effect: create → destroy with the
 * figure); hover names the sense (each circle's `<title>`), click explores it, the explored sense is
 * outlined. SVG circles stay smooth for a few thousand senses.
 */
import { useEffect, useMemo, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useSenses } from '../../state/senses';
import { renderSenseMapSvg } from '../../viz/senseMapSvg';
import { createZoom } from '../../viz/zoom';
import { ExportBar } from '../shared/ExportBar';

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
  const host = useRef<HTMLDivElement>(null);
  const figure = useMemo(() => (senseMap ? renderSenseMapSvg(senseMap) : null), [senseMap]);
  const svg = figure?.svg ?? null;

  // A new figure is a new <svg> element: zoom is created on it and destroyed with it.
  useEffect(() => {
    const el = host.current?.querySelector('svg');
    if (!svg || !el) return;
    const z = createZoom(el, { targets: 'g.senses, g.labels', scaleExtent: [0.5, 40] });
    return () => z.destroy();
  }, [svg]);

  // The explored sense is outlined (a class on its circle; the stylesheet draws it).
  useEffect(() => {
    host.current
      ?.querySelectorAll('circle.map-sense')
      .forEach((c) => c.classList.toggle('selected', Number(c.getAttribute('data-sense')) === sense));
  }, [svg, sense]);

  return (
    <section className="card wide" aria-labelledby="map-title" data-testid="sense-map">
      <h2 id="map-title">Map of senses</h2>
      {!senseMap && (
        <button type="button" onClick={loadSenseMap} disabled={modelStatus !== 'ready'} data-testid="load-map">
          Compute the map
        </button>
      )}
      {senseMap && figure && (
        <>
          <div
            ref={host}
            className="figure map-figure"
            role="group"
            aria-label={`map of ${figure.points.length} senses; scroll to zoom, drag to pan, click a sense to explore it`}
            data-testid="sense-map-figure"
            onClick={(e) => {
              const c = (e.target as Element).closest('circle.map-sense');
              if (c) exploreSense(Number(c.getAttribute('data-sense')));
            }}
            dangerouslySetInnerHTML={{ __html: figure.svg }}
          />
          <ExportBar
            svg={figure.svg}
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
