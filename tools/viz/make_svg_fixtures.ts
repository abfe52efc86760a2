/**
 * Writes tests/fixtures/viz/<case>.svg: the SVG text of each render case in src/testing/vizCases.ts,
 * so src/viz/svgFixtures.test.ts can pin the renderers' output byte for byte. The committed fixtures
 * were generated from the renderers before they returned their layout (issue 14); rerun only when a
 * change to a figure is intended, and review the diff.
 *
 *   npx tsx tools/viz/make_svg_fixtures.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SVG_CASES } from '../../src/testing/vizCases';

const OUT = join('tests', 'fixtures', 'viz');
mkdirSync(OUT, { recursive: true });
for (const c of SVG_CASES) {
  const { svg } = c.render();
  writeFileSync(join(OUT, `${c.name}.svg`), svg);
  console.log(`${c.name}.svg  ${svg.length} chars`);
}
