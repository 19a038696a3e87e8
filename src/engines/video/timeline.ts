import { z } from 'zod';

export const ASPECTS = { '16:9': [16, 9], '9:16': [9, 16], '1:1': [1, 1] } as const;
export type Aspect = keyof typeof ASPECTS;

/** Frame size for an aspect at 720p or 1080p (the short side is 720 or 1080). */
export function frameSize(aspect: Aspect, resolution: '720p' | '1080p'): { width: number; height: number } {
  const short = resolution === '1080p' ? 1080 : 720;
  const [w, h] = ASPECTS[aspect];
  return w >= h ? { width: Math.round((short * w) / h / 2) * 2, height: short } : { width: short, height: Math.round((short * h) / w / 2) * 2 };
}

const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour as #RRGGBB');

export const sceneSchema = z
  .object({
    /** A still image file; or leave it out for a designed background. */
    image: z.string().min(1).optional(),
    /** A video clip (its picture; looped if shorter than the scene), from `start` seconds in. */
    video: z.string().min(1).optional(),
    start: z.number().min(0).default(0),
    /** Background gradient colours (top-left to bottom-right) when there is no image. */
    colors: z.array(colour).min(1).max(4).optional(),
    duration: z.number().positive().max(3600),
    /** Ken Burns: slow zoom in or out, or a pan. */
    motion: z.enum(['none', 'zoom-in', 'zoom-out', 'pan-left', 'pan-right']).default('none'),
  })
  .strict()
  .refine((s) => !(s.image && s.video), { message: 'a scene is an image or a video clip, not both' });

export const timelineSchema = z
  .object({
    aspect: z.enum(['16:9', '9:16', '1:1']).default('16:9'),
    resolution: z.enum(['720p', '1080p']).default('720p'),
    fps: z.number().int().min(10).max(60).default(25),
    scenes: z.array(sceneSchema).min(1).max(2000),
    /** Cross-fade between scenes, seconds (0: hard cuts). */
    transition: z.number().min(0).max(2).default(0),
    /** Soundtrack (narration or song); the video is cut to the scenes' length. */
    audio: z.string().min(1).optional(),
    /** Subtitles/overlays as an ASS script, burned in. */
    ass: z.string().optional(),
    /**
     * A picture-in-picture clip over the whole video (a talking presenter), square, placed in
     * the lower right above the subtitle band; its sound is not used.
     */
    presenter: z.object({ video: z.string().min(1), size: z.number().int().min(64).max(1080) }).strict().optional(),
  })
  .strict();

export type Timeline = z.input<typeof timelineSchema>;
export type Scene = z.infer<typeof sceneSchema>;
export type SceneInput = z.input<typeof sceneSchema>;
