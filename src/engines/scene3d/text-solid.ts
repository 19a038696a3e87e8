/**
 * Raised lettering: glyph outlines from a system font (text-font.ts), curves flattened into
 * polygons, filled with the non-zero rule (so glyph holes stay holes) and extruded by
 * `depth`. Per the schema it stands in the XY plane reading along +X: centred on x = 0, its
 * lowest point on y = 0, its depth centred on z = 0. `size` is the font's em height.
 */
import type { Manifold } from './manifold-kernel.ts';
import type { PrimitiveContext } from './primitives.ts';
import type { Shape } from './scene-program.ts';
import { FONT_HINT, fontFor } from './text-font.ts';
import { invalid } from './validate-program.ts';

type Text = Extract<Shape, { type: 'text' }>;
type Contour = Array<[number, number]>;

export function textSolid(shape: Text, context: PrimitiveContext): Manifold {
  const { arena, kernel } = context;
  const found = fontFor(shape.text);
  if (!('font' in found)) {
    if (found.fontsFound === 0) invalid(`${context.where}: text needs a font, and none is installed (${FONT_HINT}); draw the letters with extrude profiles instead.`);
    invalid(`${context.where}: no installed font has ${found.missing.map((c) => JSON.stringify(c)).join(', ')}; use other characters or extrude profiles.`);
  }
  const { font } = found;
  const scale = shape.size / font.unitsPerEm;
  // Curve pieces per Bézier segment: finer with the detail level, as circles are.
  const steps = Math.max(2, Math.round(context.circularSegments / 12));
  const run = font.layout(shape.text);
  const contours: Contour[] = [];
  let penX = 0;
  run.glyphs.forEach((glyph, index) => {
    const position = run.positions[index]!;
    const originX = penX + position.xOffset;
    const originY = position.yOffset;
    let contour: Contour = [];
    let last: [number, number] = [0, 0];
    const point = (x: number, y: number): [number, number] => [(originX + x) * scale, (originY + y) * scale];
    const close = () => {
      if (contour.length >= 3) contours.push(contour);
      contour = [];
    };
    for (const { command, args } of glyph.path.commands) {
      if (command === 'moveTo') {
        close();
        last = [args[0]!, args[1]!];
        contour.push(point(...last));
      } else if (command === 'lineTo') {
        last = [args[0]!, args[1]!];
        contour.push(point(...last));
      } else if (command === 'quadraticCurveTo') {
        const [cx, cy, x, y] = args as [number, number, number, number];
        for (let s = 1; s <= steps; s++) {
          const t = s / steps, u = 1 - t;
          contour.push(point(u * u * last[0] + 2 * u * t * cx + t * t * x, u * u * last[1] + 2 * u * t * cy + t * t * y));
        }
        last = [x, y];
      } else if (command === 'bezierCurveTo') {
        const [c1x, c1y, c2x, c2y, x, y] = args as [number, number, number, number, number, number];
        for (let s = 1; s <= steps; s++) {
          const t = s / steps, u = 1 - t;
          contour.push(point(u * u * u * last[0] + 3 * u * u * t * c1x + 3 * u * t * t * c2x + t * t * t * x, u * u * u * last[1] + 3 * u * u * t * c1y + 3 * u * t * t * c2y + t * t * t * y));
        }
        last = [x, y];
      } else if (command === 'closePath') {
        close();
      }
    }
    close();
    penX += position.xAdvance;
  });
  if (contours.length === 0) invalid(`${context.where}: the text ${JSON.stringify(shape.text)} has no visible characters.`);
  const section = arena.keep(new kernel.CrossSection(contours, 'NonZero'));
  if (section.isEmpty()) invalid(`${context.where}: the text ${JSON.stringify(shape.text)} has no visible characters.`);
  const bounds = section.bounds();
  // Extruded along the kernel's +Z, which is already the scene's +Z here: no Y-up turn for text.
  const solid = arena.keep(section.extrude(shape.depth));
  return arena.keep(solid.translate([-(bounds.min[0] + bounds.max[0]) / 2, -bounds.min[1], -shape.depth / 2]));
}
