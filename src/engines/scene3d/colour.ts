import type { Colour } from './scene-program.ts';

/** A program colour as glTF wants it: linear RGB. `#rrggbb` is sRGB (decoded); an [r, g, b] triple is already linear. */
export function linearRgb(colour: Colour): [number, number, number] {
  if (typeof colour !== 'string') return [colour[0], colour[1], colour[2]];
  const channel = (offset: number): number => {
    const c = Number.parseInt(colour.slice(offset, offset + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return [channel(1), channel(3), channel(5)];
}

/** A program colour as `#RRGGBB` sRGB (3MF display colours, labels). */
export function srgbHex(colour: Colour): string {
  if (typeof colour === 'string') return colour.toUpperCase();
  const encode = (c: number): string => {
    const s = c <= 0.0031308 ? c * 12.92 : 1.055 * c ** (1 / 2.4) - 0.055;
    return Math.round(Math.min(1, Math.max(0, s)) * 255).toString(16).padStart(2, '0').toUpperCase();
  };
  return `#${encode(colour[0])}${encode(colour[1])}${encode(colour[2])}`;
}
