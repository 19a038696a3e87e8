/**
 * The illustrations a scene card can be: each draws a full-frame SVG background and motif from
 * a palette and a seeded random source. Shapes only, no text.
 */

/** deep, mid, accent, light. */
export type Palette = readonly [string, string, string, string];

export const SCENE_LAYOUTS = ['horizon', 'waves', 'bokeh', 'rays', 'rings', 'petals', 'stars', 'rain'] as const;
export type SceneLayout = (typeof SCENE_LAYOUTS)[number];

interface Canvas {
  width: number;
  height: number;
  palette: Palette;
  random: () => number;
}

const f = (n: number) => n.toFixed(1);

function background({ width, height, palette, random }: Canvas, from: string, to: string): string {
  const diagonal = random() < 0.5;
  return `<defs><linearGradient id="bg" x1="0" y1="0" x2="${diagonal ? 1 : 0}" y2="1"><stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient></defs>
<rect width="${width}" height="${height}" fill="url(#bg)"/>
<rect width="${width}" height="${height}" fill="${palette[2]}" fill-opacity="0.04"/>`;
}

/** A closed path along a seeded bumpy line at `base` (share of height), down to the bottom. */
function ridge({ width, height, random }: Canvas, base: number, amplitude: number, bumps: number, roughness = 0.6): string {
  const points: string[] = [];
  const phase = random() * Math.PI * 2;
  for (let i = 0; i <= 24; i++) {
    const x = (width * i) / 24;
    const y = height * (base + amplitude * (Math.sin(phase + (i / 24) * Math.PI * bumps) * 0.7 + (random() - 0.5) * roughness));
    points.push(`${f(x)},${f(y)}`);
  }
  return `M0,${height} L${points.join(' L')} L${width},${height} Z`;
}

function horizon(c: Canvas): string {
  const [deep, mid, accent, light] = c.palette;
  const short = Math.min(c.width, c.height);
  const sunX = c.width * (0.25 + c.random() * 0.5);
  const sunY = c.height * (0.35 + c.random() * 0.15);
  const sunR = short * (0.12 + c.random() * 0.08);
  return `${background(c, mid, light)}
<circle cx="${f(sunX)}" cy="${f(sunY)}" r="${f(sunR * 1.8)}" fill="${accent}" fill-opacity="0.25"/>
<circle cx="${f(sunX)}" cy="${f(sunY)}" r="${f(sunR)}" fill="${accent}"/>
<path d="${ridge(c, 0.6, 0.06, 2 + c.random() * 2)}" fill="${mid}" fill-opacity="0.75"/>
<path d="${ridge(c, 0.7, 0.05, 3 + c.random() * 2)}" fill="${deep}" fill-opacity="0.7"/>
<path d="${ridge(c, 0.82, 0.04, 2 + c.random() * 3)}" fill="${deep}"/>`;
}

function waves(c: Canvas): string {
  const [deep, mid, accent, light] = c.palette;
  const bands: string[] = [];
  for (let i = 0; i < 6; i++) {
    const base = 0.45 + i * 0.1;
    const color = [light, accent, mid, mid, deep, deep][i]!;
    bands.push(`<path d="${ridge(c, base, 0.025, 3 + c.random() * 3, 0.08)}" fill="${color}" fill-opacity="${(0.35 + i * 0.1).toFixed(2)}"/>`);
  }
  return `${background(c, light, mid)}\n${bands.join('\n')}`;
}

function bokeh(c: Canvas): string {
  const [deep, mid, accent, light] = c.palette;
  const short = Math.min(c.width, c.height);
  const lights: string[] = [];
  for (let i = 0; i < 28; i++) {
    const r = short * (0.03 + c.random() * 0.12);
    const color = c.random() < 0.6 ? accent : light;
    lights.push(`<circle cx="${f(c.random() * c.width)}" cy="${f(c.random() * c.height)}" r="${f(r)}" fill="${color}" fill-opacity="${(0.12 + c.random() * 0.3).toFixed(2)}"/>`);
  }
  return `${background(c, deep, mid)}\n${lights.join('\n')}`;
}

function rays(c: Canvas): string {
  const [deep, mid, accent, light] = c.palette;
  const cx = c.width * (0.3 + c.random() * 0.4);
  const cy = c.height * (0.45 + c.random() * 0.3);
  const reach = Math.hypot(c.width, c.height);
  const count = 14 + Math.floor(c.random() * 10);
  const turn = c.random() * Math.PI;
  const beams: string[] = [];
  for (let i = 0; i < count; i += 2) {
    const a0 = turn + (i / count) * Math.PI * 2;
    const a1 = turn + ((i + 1) / count) * Math.PI * 2;
    beams.push(`<path d="M${f(cx)},${f(cy)} L${f(cx + Math.cos(a0) * reach)},${f(cy + Math.sin(a0) * reach)} L${f(cx + Math.cos(a1) * reach)},${f(cy + Math.sin(a1) * reach)} Z" fill="${light}" fill-opacity="0.12"/>`);
  }
  const r = Math.min(c.width, c.height) * (0.1 + c.random() * 0.06);
  return `${background(c, accent, mid)}\n${beams.join('\n')}
<circle cx="${f(cx)}" cy="${f(cy)}" r="${f(r * 1.6)}" fill="${light}" fill-opacity="0.3"/>
<circle cx="${f(cx)}" cy="${f(cy)}" r="${f(r)}" fill="${light}"/>
<path d="${ridge(c, 0.9, 0.02, 2)}" fill="${deep}" fill-opacity="0.6"/>`;
}

function rings(c: Canvas): string {
  const [deep, mid, accent, light] = c.palette;
  const cx = c.width * (0.2 + c.random() * 0.6);
  const cy = c.height * (0.35 + c.random() * 0.4);
  const short = Math.min(c.width, c.height);
  const circles: string[] = [];
  for (let i = 1; i <= 9; i++) {
    circles.push(`<circle cx="${f(cx)}" cy="${f(cy)}" r="${f(short * 0.09 * i)}" fill="none" stroke="${i % 2 ? light : accent}" stroke-opacity="${(0.5 - i * 0.04).toFixed(2)}" stroke-width="${f(short * (0.01 + c.random() * 0.02))}"/>`);
  }
  return `${background(c, mid, deep)}
<circle cx="${f(cx)}" cy="${f(cy)}" r="${f(short * 0.07)}" fill="${accent}"/>
${circles.join('\n')}`;
}

function petals(c: Canvas): string {
  const [deep, mid, accent, light] = c.palette;
  const short = Math.min(c.width, c.height);
  const shapes: string[] = [];
  for (let i = 0; i < 22; i++) {
    const x = c.random() * c.width;
    const y = c.random() * c.height;
    const size = short * (0.03 + c.random() * 0.07);
    const angle = c.random() * 360;
    const color = [accent, light, mid][Math.floor(c.random() * 3)]!;
    shapes.push(`<ellipse cx="${f(x)}" cy="${f(y)}" rx="${f(size)}" ry="${f(size * 0.45)}" transform="rotate(${f(angle)} ${f(x)} ${f(y)})" fill="${color}" fill-opacity="${(0.45 + c.random() * 0.4).toFixed(2)}"/>`);
  }
  // One flower, five petals round a heart.
  const fx = c.width * (0.3 + c.random() * 0.4);
  const fy = c.height * (0.5 + c.random() * 0.2);
  const fr = short * 0.12;
  const flower = Array.from({ length: 5 }, (_, i) => {
    const a = (i / 5) * 360;
    return `<ellipse cx="${f(fx)}" cy="${f(fy - fr)}" rx="${f(fr * 0.55)}" ry="${f(fr)}" transform="rotate(${f(a)} ${f(fx)} ${f(fy)})" fill="${light}" fill-opacity="0.85"/>`;
  }).join('\n');
  return `${background(c, mid, deep)}\n${shapes.join('\n')}\n${flower}\n<circle cx="${f(fx)}" cy="${f(fy)}" r="${f(fr * 0.4)}" fill="${accent}"/>`;
}

function stars(c: Canvas): string {
  const [deep, mid, accent, light] = c.palette;
  const short = Math.min(c.width, c.height);
  const dots: string[] = [];
  for (let i = 0; i < 90; i++) {
    dots.push(`<circle cx="${f(c.random() * c.width)}" cy="${f(c.random() * c.height * 0.75)}" r="${f(short * (0.002 + c.random() * 0.006))}" fill="${light}" fill-opacity="${(0.4 + c.random() * 0.6).toFixed(2)}"/>`);
  }
  const mx = c.width * (0.2 + c.random() * 0.6);
  const my = c.height * (0.2 + c.random() * 0.25);
  const mr = short * (0.09 + c.random() * 0.05);
  return `${background(c, deep, mid)}\n${dots.join('\n')}
<circle cx="${f(mx)}" cy="${f(my)}" r="${f(mr * 2)}" fill="${light}" fill-opacity="0.08"/>
<circle cx="${f(mx)}" cy="${f(my)}" r="${f(mr)}" fill="${accent}"/>
<circle cx="${f(mx + mr * 0.45)}" cy="${f(my - mr * 0.2)}" r="${f(mr * 0.9)}" fill="${deep}"/>
<path d="${ridge(c, 0.85, 0.04, 3)}" fill="${deep}"/>`;
}

function rain(c: Canvas): string {
  const [deep, mid, accent, light] = c.palette;
  const short = Math.min(c.width, c.height);
  const slant = short * (0.02 + c.random() * 0.04);
  const drops: string[] = [];
  for (let i = 0; i < 70; i++) {
    const x = c.random() * c.width;
    const y = c.random() * c.height * 0.85;
    const length = short * (0.04 + c.random() * 0.06);
    drops.push(`<line x1="${f(x)}" y1="${f(y)}" x2="${f(x - slant)}" y2="${f(y + length)}" stroke="${light}" stroke-opacity="${(0.25 + c.random() * 0.4).toFixed(2)}" stroke-width="${f(short * 0.004)}" stroke-linecap="round"/>`);
  }
  const ripples: string[] = [];
  for (let i = 0; i < 6; i++) {
    const x = c.random() * c.width;
    const y = c.height * (0.88 + c.random() * 0.1);
    ripples.push(`<ellipse cx="${f(x)}" cy="${f(y)}" rx="${f(short * (0.04 + c.random() * 0.05))}" ry="${f(short * 0.012)}" fill="none" stroke="${accent}" stroke-opacity="0.5" stroke-width="${f(short * 0.004)}"/>`);
  }
  return `${background(c, deep, mid)}\n${drops.join('\n')}\n${ripples.join('\n')}`;
}

const DRAW: Readonly<Record<SceneLayout, (c: Canvas) => string>> = { horizon, waves, bokeh, rays, rings, petals, stars, rain };

export function drawLayout(layout: SceneLayout, canvas: Canvas): string {
  return DRAW[layout](canvas);
}
