import { loadSharp } from '../../media/load-sharp.ts';
import { seededRandom } from '../seeded-random.ts';
import { textWidthEm, wrapText } from './layout.ts';

export interface CardRequest {
  title: string;
  /** Body lines; long lines are wrapped. */
  lines: string[];
  width: number;
  height: number;
  seed: number;
  format: 'png' | 'jpeg' | 'webp';
}

export interface RenderedCard {
  bytes: Buffer;
  mimeType: string;
  width: number;
  height: number;
}

const PALETTES: readonly (readonly [string, string, string])[] = [
  ['#8c1c13', '#d1495b', '#ffd166'], // festive red and gold
  ['#0b3954', '#087e8b', '#f5f1e3'], // ink blue
  ['#2d3a3a', '#5f7161', '#efead8'], // jade
  ['#3c1642', '#86169e', '#f9c80e'], // plum
  ['#1b263b', '#415a77', '#e0e1dd'], // night
  ['#7f5539', '#b08968', '#ede0d4'], // tea
];

/** Also used by the poster composer (image-ops), so covers and posters set CJK type the same way. */
export const FONT_STACK = "'Noto Serif CJK SC', 'Noto Sans CJK SC', 'Source Han Serif SC', 'DejaVu Serif', serif";

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Draws a typographic card: a seeded gradient, seeded ornaments, the title and wrapped
 * lines, sized to fit. Pure SVG rendered by sharp (librsvg), so it runs offline anywhere.
 */
export async function renderCard(request: CardRequest): Promise<RenderedCard> {
  const sharp = await loadSharp();
  const { width, height } = request;
  const random = seededRandom(request.seed);
  const palette = PALETTES[Math.floor(random() * PALETTES.length)] ?? PALETTES[0]!;
  const [deep, mid, light] = palette;
  const short = Math.min(width, height);
  const margin = Math.round(short * 0.08);
  const textBoxWidth = width - margin * 2;

  const ornaments: string[] = [];
  for (let i = 0; i < 14; i++) {
    const r = short * (0.03 + random() * 0.16);
    const cx = random() * width;
    const cy = random() * height;
    ornaments.push(
      `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="${r.toFixed(1)}" fill="${light}" fill-opacity="${(0.04 + random() * 0.1).toFixed(3)}"/>`,
    );
  }

  // Width estimates are rough, so aim for 90% of the box.
  const fitEm = (lines: string[]) => Math.max(1, ...lines.map(textWidthEm));
  const titleSize = Math.min(short * 0.075, (textBoxWidth * 0.9) / fitEm([request.title]));
  const titleLines = wrapText(request.title, textBoxWidth / Math.max(titleSize, short * 0.045)).slice(0, 3);
  // Prefer one line per body line: shrink to fit the longest, wrap only below a readable size.
  let bodySize = Math.max(short * 0.032, Math.min(short * 0.065, (textBoxWidth * 0.9) / fitEm(request.lines)));
  let bodyLines = request.lines.flatMap((line) => wrapText(line, (textBoxWidth * 0.9) / bodySize));
  const bodyTop = margin + titleLines.length * titleSize * 1.3 + short * 0.06;
  const available = height - bodyTop - margin;
  while (bodyLines.length * bodySize * 1.6 > available && bodySize > short * 0.02) {
    bodySize *= 0.9;
    bodyLines = request.lines.flatMap((line) => wrapText(line, (textBoxWidth * 0.9) / bodySize));
  }
  // Centre the verse in the space under the title.
  const bodyOffset = Math.max(0, (available - bodyLines.length * bodySize * 1.6) / 2);

  const text = (content: string, y: number, size: number, weight: number, fill: string) =>
    `<text x="${width / 2}" y="${y.toFixed(1)}" font-family="${FONT_STACK}" font-size="${size.toFixed(1)}" font-weight="${weight}" fill="${fill}" text-anchor="middle">${escapeXml(content)}</text>`;

  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
<defs><linearGradient id="bg" x1="0" y1="0" x2="${random() < 0.5 ? 1 : 0}" y2="1">
<stop offset="0" stop-color="${deep}"/><stop offset="1" stop-color="${mid}"/></linearGradient></defs>
<rect width="100%" height="100%" fill="url(#bg)"/>
${ornaments.join('\n')}
<rect x="${margin / 2}" y="${margin / 2}" width="${width - margin}" height="${height - margin}" fill="none" stroke="${light}" stroke-opacity="0.6" stroke-width="${Math.max(1, short * 0.006).toFixed(1)}" rx="${(short * 0.02).toFixed(1)}"/>
${titleLines.map((line, i) => text(line, margin + titleSize * (1 + i * 1.3), titleSize, 700, light)).join('\n')}
${bodyLines.map((line, i) => text(line, bodyTop + bodyOffset + bodySize * (1 + i * 1.6), bodySize, 400, light)).join('\n')}
</svg>`;

  const image = sharp(Buffer.from(svg));
  const encoded =
    request.format === 'jpeg' ? image.jpeg({ quality: 90 }) : request.format === 'webp' ? image.webp({ quality: 90 }) : image.png();
  const bytes = await encoded.toBuffer();
  return { bytes, mimeType: `image/${request.format}`, width, height };
}
