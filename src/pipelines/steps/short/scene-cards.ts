import { loadSharp } from '../../../media/load-sharp.ts';
import type { Mood } from '../../../engines/composer/style.ts';
import { seededRandom } from '../../../engines/seeded-random.ts';
import { SCENE_LAYOUTS, type Palette, type SceneLayout, drawLayout } from './scene-card-layouts.ts';

/**
 * A designed picture for a scene that has no photo or generated image: an illustration drawn
 * as SVG (rendered by sharp, off the event loop in libuv's pool), in the scene mood's colours,
 * with a motif chosen from the scene's visual words. No text: the video draws the caption and
 * the subtitles over it, so the card stays a calm picture under them.
 */

/** Three palettes per mood (deep, mid, accent, light), so consecutive scenes of one mood still differ. */
export const MOOD_PALETTES: Readonly<Record<Mood, readonly Palette[]>> = {
  warm: [
    ['#4a2414', '#b85a32', '#f2a65a', '#fde8c8'],
    ['#3d2314', '#9c4f2e', '#e8a87c', '#fff1dc'],
    ['#4a2c2a', '#b5533c', '#f6bd60', '#f7ede2'],
  ],
  festive: [
    ['#5c0a14', '#b91d2b', '#f4c430', '#fff3d6'],
    ['#4a0d2e', '#c2185b', '#ffd54f', '#fff8e1'],
    ['#6e0e0a', '#d7263d', '#f9c80e', '#fdf0d5'],
  ],
  lyrical: [
    ['#2b2d5c', '#6a5acd', '#c3a6e0', '#f3e9ff'],
    ['#1f3b4d', '#5d7fa3', '#e0b1cb', '#f5ebf7'],
    ['#34344a', '#80638e', '#f0c6c3', '#fbf4ef'],
  ],
  gentle: [
    ['#2f4f4f', '#6fa8ae', '#d3f8e2', '#fafff7'],
    ['#3e5641', '#8fb996', '#f1e4c3', '#fffdf6'],
    ['#35477d', '#7fa8d4', '#f6e7cb', '#fcfcf7'],
  ],
  energetic: [
    ['#001219', '#0a9396', '#ee9b00', '#e9d8a6'],
    ['#10002b', '#ff5400', '#ffbd00', '#fff5cc'],
    ['#03071e', '#d00000', '#faa307', '#ffe8d6'],
  ],
  melancholy: [
    ['#0d1b2a', '#415a77', '#778da9', '#e0e1dd'],
    ['#1c1c28', '#4a4e69', '#9a8c98', '#f2e9e4'],
    ['#141e24', '#2e5a78', '#94a3b8', '#e2e8f0'],
  ],
};

/** Visual words → the motif that shows them (zh and en). English words are matched whole. */
const MOTIF_WORDS: readonly (readonly [SceneLayout, RegExp])[] = [
  ['stars', /\b(night|moon\w*|stars?|starry|midnight)\b|夜|月|星/i],
  ['rain', /\b(rain\w*|drizzle|storm\w*|umbrella)\b|雨/i],
  ['waves', /\b(sea|ocean|waves?|river|lake|water|beach|shore)\b|海|浪|河|湖|江|水/i],
  ['horizon', /\b(sun|dawn|sunrise|sunset|mountains?|hills?|fields?|morning|road)\b|日出|日落|夕阳|太阳|山|田野|清晨|早晨|路/i],
  ['petals', /\b(flowers?|blossoms?|petals?|garden|spring|bloom\w*|tea)\b|花|春|园|茶/i],
  ['bokeh', /\b(lights?|lanterns?|candles?|city|party|fireworks?|celebrat\w*|festival)\b|灯|烛|城市|烟花|庆|节/i],
  ['rays', /\b(hope|shine|shining|victory|begin\w*|start\w*|win\w*|goal)\b|光芒|希望|胜利|开始|出发/i],
  ['rings', /\b(heart|love|hug|family|friends?|together)\b|爱|心|家|朋友|拥抱|团圆/i],
];

/** The motif the words ask for, if any. */
export function motifFor(text: string): SceneLayout | undefined {
  return MOTIF_WORDS.find(([, words]) => words.test(text))?.[0];
}

/** Card sizes by aspect: the composer's 720p frame, or a square for 1:1. */
export const CARD_SIZES = {
  '9:16': { width: 720, height: 1280 },
  '16:9': { width: 1280, height: 720 },
  '1:1': { width: 1080, height: 1080 },
} as const satisfies Record<string, { width: number; height: number }>;
export type Aspect = keyof typeof CARD_SIZES;

export interface SceneCardRequest {
  mood: Mood;
  /** The scene's words, most telling first (visual, caption, narration): the first that names a motif picks it. */
  words: readonly string[];
  /** The previous scene's layout: never repeated, so consecutive cards differ. */
  previous?: SceneLayout | undefined;
  aspect: Aspect;
  seed: number;
}

export interface SceneCard {
  bytes: Buffer;
  mimeType: 'image/jpeg';
  width: number;
  height: number;
  layout: SceneLayout;
  palette: Palette;
}

/** Chooses the layout: the words' motif unless it repeats the previous card, else a seeded other one. */
export function chooseLayout(words: readonly string[], previous: SceneLayout | undefined, random: () => number): SceneLayout {
  const motif = words.map(motifFor).find((found) => found !== undefined);
  if (motif !== undefined && motif !== previous) return motif;
  const others = SCENE_LAYOUTS.filter((layout) => layout !== previous);
  return others[Math.floor(random() * others.length)] ?? SCENE_LAYOUTS[0];
}

export async function renderSceneCard(request: SceneCardRequest): Promise<SceneCard> {
  const sharp = await loadSharp();
  const { width, height } = CARD_SIZES[request.aspect];
  const random = seededRandom(request.seed);
  const palettes = MOOD_PALETTES[request.mood];
  const palette = palettes[Math.floor(random() * palettes.length)] ?? palettes[0]!;
  const layout = chooseLayout(request.words, request.previous, random);
  const [deep] = palette;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
${drawLayout(layout, { width, height, palette, random })}
<defs>
<linearGradient id="scrim" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${deep}" stop-opacity="0.45"/><stop offset="0.4" stop-color="${deep}" stop-opacity="0"/><stop offset="0.75" stop-color="${deep}" stop-opacity="0"/><stop offset="1" stop-color="${deep}" stop-opacity="0.4"/></linearGradient>
<radialGradient id="vignette" cx="0.5" cy="0.5" r="0.75"><stop offset="0.6" stop-color="#000" stop-opacity="0"/><stop offset="1" stop-color="#000" stop-opacity="0.35"/></radialGradient>
</defs>
<rect width="100%" height="100%" fill="url(#scrim)"/>
<rect width="100%" height="100%" fill="url(#vignette)"/>
</svg>`;
  // The scrims darken the caption's band (top) and the subtitles' band (bottom) so white text reads.
  const bytes = await sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer();
  return { bytes, mimeType: 'image/jpeg', width, height, layout, palette };
}
