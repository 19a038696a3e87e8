/**
 * Style presets for image generation: words appended to the prompt and to the negative
 * prompt. A style that is no preset name is appended to the prompt as written.
 */
export interface StylePreset {
  prompt: string;
  negative: string;
}

export const STYLE_PRESETS: Readonly<Record<string, StylePreset>> = {
  photo: { prompt: 'photograph, natural light, 35mm lens, sharp focus, realistic detail', negative: 'illustration, painting, cartoon, 3d render, oversaturated' },
  anime: { prompt: 'anime style illustration, clean line art, cel shading, vibrant colours', negative: 'photorealistic, photograph, 3d render, muddy colours' },
  'ink-wash': { prompt: 'traditional Chinese ink wash painting (shuimo), monochrome ink on rice paper, soft gradients, generous empty space', negative: 'photograph, saturated colours, 3d render, heavy outlines' },
  oil: { prompt: 'oil painting on canvas, visible brush strokes, rich impasto texture, classical lighting', negative: 'photograph, flat vector, cartoon, digital smoothness' },
  poster: { prompt: 'graphic poster design, bold composition, strong shapes, limited palette, high contrast', negative: 'cluttered, photograph noise, blurry' },
  pixel: { prompt: 'pixel art, 16-bit sprite style, crisp pixels, limited palette', negative: 'blurry, anti-aliased, photograph, smooth gradients' },
  watercolor: { prompt: 'watercolour painting, soft washes, paper texture, gentle bleeding edges', negative: 'photograph, hard edges, 3d render' },
};

/** Other names users type for the presets (Chinese names among them). */
const ALIASES: Readonly<Record<string, string>> = {
  photograph: 'photo', photographic: 'photo', 摄影: 'photo', 照片: 'photo', 写实: 'photo',
  动漫: 'anime', 二次元: 'anime', manga: 'anime',
  'ink wash': 'ink-wash', inkwash: 'ink-wash', shuimo: 'ink-wash', 水墨: 'ink-wash', 水墨画: 'ink-wash', 国画: 'ink-wash',
  'oil-painting': 'oil', 'oil painting': 'oil', 油画: 'oil',
  海报: 'poster',
  'pixel-art': 'pixel', 'pixel art': 'pixel', 像素: 'pixel', 像素风: 'pixel',
  watercolour: 'watercolor', 水彩: 'watercolor',
};

export function findStylePreset(style: string): { name: string; preset: StylePreset } | undefined {
  const key = style.trim().toLowerCase();
  const name = STYLE_PRESETS[key] ? key : ALIASES[key] ?? ALIASES[style.trim()];
  return name ? { name, preset: STYLE_PRESETS[name]! } : undefined;
}

/** The prompt and negative prompt with the style applied. */
export function applyStyle(prompt: string, negativePrompt: string | undefined, style: string | undefined): { prompt: string; negativePrompt: string | undefined } {
  if (!style?.trim()) return { prompt, negativePrompt };
  const found = findStylePreset(style);
  if (!found) return { prompt: `${prompt}, ${style.trim()}`, negativePrompt };
  const negative = [negativePrompt?.trim(), found.preset.negative].filter((s) => s).join(', ');
  return { prompt: `${prompt}, ${found.preset.prompt}`, negativePrompt: negative };
}

/** CJK ideographs, kana or hangul: a prompt English-only models cannot read. */
export function hasCjk(text: string): boolean {
  return /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]/.test(text);
}
