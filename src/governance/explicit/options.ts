import { z } from 'zod';
import type { PcmAudio } from '../../media/audio/pcm.ts';

/**
 * GB 45438-2025 §5: an explicit label's wording must hold an "AI element" (人工智能 or AI)
 * and a "generation element" (生成 and/or 合成). See ../shared/docs/labeling.md §1.3.
 */
export function hasRequiredElements(wording: string): boolean {
  return /人工智能|AI/.test(wording) && /生成|合成/.test(wording);
}

const wording = z
  .string()
  .min(1)
  .max(200)
  .refine(hasRequiredElements, { message: 'the wording must contain 人工智能 or AI, and 生成 or 合成 (GB 45438-2025 §5)' });

export const CORNERS = ['top-left', 'top-right', 'bottom-left', 'bottom-right'] as const;
export type Corner = (typeof CORNERS)[number];

export const explicitLabelOptionsSchema = z
  .object({
    /** Per modality; all on by default (labels are on unless a tenant opts out through `omit`). */
    enabled: z
      .object({
        text: z.boolean().default(true),
        image: z.boolean().default(true),
        audio: z.boolean().default(true),
        video: z.boolean().default(true),
        model3d: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    wording: z
      .object({
        /** Text, Markdown, code comments, glTF and sidecar records. */
        text: wording.default('本内容由人工智能生成 (AI-generated)'),
        /** Drawn on images and video frames: short, so it fits any aspect ratio at ≥ 5.5 % height. */
        visual: wording.default('AI生成'),
        /** Spoken after the rhythm when a `speak` function is supplied. */
        spoken: wording.default('本内容由人工智能生成'),
      })
      .strict()
      .prefault({}),
    textPosition: z.enum(['prefix', 'suffix']).default('prefix'),
    imageCorner: z.enum(CORNERS).default('bottom-right'),
    videoCorner: z.enum(CORNERS).default('top-left'),
    audioPlacement: z.enum(['start', 'end', 'both']).default('start'),
    /**
     * 'overlay' (default) mixes the rhythm over the audio so its length and every timing made
     * from it (lyrics, subtitles, video sync) stay valid; 'insert' joins it (and a spoken
     * prompt) before/after the content.
     */
    audioMode: z.enum(['overlay', 'insert']).default('overlay'),
    /** Keep the video label for the whole video, not only [0, 2.5 s]. */
    videoPersistentMark: z.boolean().default(false),
    /** Language passed to `speak` for the spoken prompt. */
    spokenLanguage: z.string().min(1).default('zh'),
    /**
     * Measures Art. 9: a tenant may receive outputs without explicit labels only by an explicit
     * setting, and every omission is logged (a label record and a log line).
     */
    omit: z.object({ reason: z.string().trim().min(1), tenant: z.string().trim().min(1) }).strict().optional(),
  })
  .strict();

export type ExplicitLabelOptionsInput = z.input<typeof explicitLabelOptionsSchema>;
export type ExplicitLabelOptions = z.output<typeof explicitLabelOptionsSchema>;

/** Text-to-speech, injected (e.g. the eSpeak engine) so governance imports no engine. */
export type SpeakFunction = (text: string, language: string) => Promise<PcmAudio>;

/** Where omissions are logged; the default writes one JSON line to stderr. */
export interface ExplicitLabelLogger {
  warn(message: string, fields: Record<string, unknown>): void;
}

/** The ratios the marks are drawn at: the standard asks ≥ 5 %; a margin covers rounding and scaling. */
export const IMAGE_INK_RATIO = 0.055;
export const VIDEO_INK_RATIO = 0.06;
/** The video label shows on [0, this] seconds: ≥ 2 s required, 2.5 s for a margin. */
export const VIDEO_LABEL_SECONDS = 2.5;
