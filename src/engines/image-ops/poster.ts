import { loadSharp } from '../../media/load-sharp.ts';
import { ShenbiError } from '../../core/errors.ts';
import { escapeXml, FONT_STACK } from '../procedural-card/render.ts';
import { textWidthEm, wrapText } from '../procedural-card/layout.ts';
import type { EncodedImage, OutputFormat } from './operations.ts';
import { decodeImage, probeImage, renderImage } from './probe.ts';

export interface PosterRequest {
  /** The picture; it fills the upper part of the poster and, blurred, the background. */
  picture: Buffer;
  title: string;
  subtitle?: string | undefined;
  /** 1080×1440 (3:4) by default; 1080×1920 for a 9:16 phone poster. */
  width?: number | undefined;
  height?: number | undefined;
  format?: OutputFormat | undefined;
}

/**
 * A poster: the picture cover-fitted in a frame, over a darkened blur of itself, with the
 * title and subtitle set below in the CJK font stack the typographic cards use (SVG through
 * librsvg, so the glyphs come from the installed Noto CJK fonts).
 */
export async function composePoster(request: PosterRequest): Promise<EncodedImage> {
  const sharp = await loadSharp();
  const width = request.width ?? 1080;
  const height = request.height ?? 1440;
  const title = request.title.trim();
  if (title === '') throw new ShenbiError('INVALID_INPUT', 'a poster needs a title');
  await probeImage(request.picture, 'the poster picture');
  const margin = Math.round(width * 0.06);
  const frameW = width - margin * 2;
  const frameH = Math.round(height * (height / width > 1.5 ? 0.62 : 0.58));

  const background = (await renderImage((await decodeImage(request.picture)).resize(width, height, { fit: 'cover' }).blur(24).modulate({ brightness: 0.4 }).removeAlpha().png(), 'the poster picture')).data;
  const framed = (await renderImage((await decodeImage(request.picture)).resize(frameW, frameH, { fit: 'cover', position: 'attention', kernel: 'lanczos3' }).png(), 'the poster picture')).data;

  // Title: as large as fits two lines across the frame; subtitle: smaller, up to three lines.
  const textTop = margin + frameH + Math.round(height * 0.05);
  const room = height - textTop - margin;
  let titleSize = Math.min(width * 0.11, (frameW * 0.95) / Math.max(1, textWidthEm(title)));
  titleSize = Math.max(titleSize, width * 0.06);
  const titleLines = wrapText(title, frameW / titleSize).slice(0, 2);
  const subtitle = request.subtitle?.trim() ?? '';
  let subSize = Math.min(width * 0.045, titleSize * 0.5);
  const subLines = subtitle ? wrapText(subtitle, frameW / subSize).slice(0, 3) : [];
  const needed = titleLines.length * titleSize * 1.25 + (subLines.length ? titleSize * 0.4 + subLines.length * subSize * 1.5 : 0);
  const scale = needed > room ? room / needed : 1;
  titleSize *= scale;
  subSize *= scale;

  const line = (content: string, y: number, size: number, weight: number, opacity: number) =>
    `<text x="${width / 2}" y="${y.toFixed(1)}" font-family="${FONT_STACK}" font-size="${size.toFixed(1)}" font-weight="${weight}" fill="#ffffff" fill-opacity="${opacity}" text-anchor="middle">${escapeXml(content)}</text>`;
  const texts: string[] = [];
  let y = textTop;
  for (const l of titleLines) {
    y += titleSize;
    texts.push(line(l, y, titleSize, 700, 1));
    y += titleSize * 0.25;
  }
  if (subLines.length) y += titleSize * 0.4;
  for (const l of subLines) {
    y += subSize;
    texts.push(line(l, y, subSize, 400, 0.85));
    y += subSize * 0.5;
  }
  const overlay = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<rect x="${margin - 2}" y="${margin - 2}" width="${frameW + 4}" height="${frameH + 4}" fill="none" stroke="#ffffff" stroke-opacity="0.7" stroke-width="2"/>
${texts.join('\n')}
</svg>`;
  const composed = sharp(background).composite([
    { input: framed, left: margin, top: margin },
    { input: Buffer.from(overlay), left: 0, top: 0 },
  ]);
  const format = request.format ?? 'png';
  const encoded = format === 'jpeg' ? composed.jpeg({ quality: 92 }) : format === 'webp' ? composed.webp({ quality: 90 }) : composed.png();
  const { data, info } = await renderImage(encoded, 'the poster');
  return { bytes: data, width: info.width, height: info.height, format };
}
