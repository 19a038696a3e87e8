import { audioBody, providerFetch } from './http.ts';
import { lyricSections } from './lyric-sections.ts';
import type { AdapterContext, CloudMusicRequest, CloudMusicResult } from './types.ts';

/**
 * ElevenLabs Music (`POST /v1/music`, model `music_v1`) and sound effects
 * (`POST /v1/sound-generation`). Both answer with the audio bytes directly. With lyrics, the
 * music request is a composition plan (one section per lyric section, its lines sung); the
 * API takes either a prompt with `music_length_ms` or a plan, never both.
 */

const SOUND_MODELS = new Set(['sound-generation', 'eleven_text_to_sound_v2', 'eleven_text_to_sound_v1']);

/** Section length limits of the composition plan API, ms. */
const SECTION_MIN_MS = 3_000;
const SECTION_MAX_MS = 120_000;

export function isElevenLabsSoundModel(modelId: string): boolean {
  return SOUND_MODELS.has(modelId);
}

export function elevenLabsMusicBody(request: CloudMusicRequest, modelId: string): Record<string, unknown> {
  const lengthMs = Math.round(request.durationSec * 1000);
  const sections = request.lyrics && !request.instrumental ? lyricSections(request.lyrics) : [];
  if (sections.length === 0) {
    return { model_id: modelId, prompt: request.prompt, music_length_ms: lengthMs, ...(request.instrumental ? { force_instrumental: true } : {}), ...(request.seed === undefined ? {} : { seed: request.seed }) };
  }
  // The length is shared by lines sung, so longer sections get more time.
  const weights = sections.map((s) => s.lines.reduce((n, line) => n + Math.max(1, line.length), 0));
  const total = weights.reduce((a, b) => a + b, 0);
  return {
    model_id: modelId,
    composition_plan: {
      positive_global_styles: [request.prompt],
      negative_global_styles: [],
      sections: sections.map((s, i) => ({
        section_name: s.name,
        positive_local_styles: [],
        negative_local_styles: [],
        duration_ms: Math.min(SECTION_MAX_MS, Math.max(SECTION_MIN_MS, Math.round((lengthMs * weights[i]!) / total))),
        lines: s.lines,
      })),
    },
    ...(request.seed === undefined ? {} : { seed: request.seed }),
  };
}

export async function elevenLabsMusic(request: CloudMusicRequest, ctx: AdapterContext): Promise<CloudMusicResult> {
  const headers = { ...ctx.headers, 'content-type': 'application/json', accept: 'audio/mpeg' };
  const sound = isElevenLabsSoundModel(ctx.modelId);
  const url = sound ? `${ctx.baseURL}/sound-generation?output_format=mp3_44100_128` : `${ctx.baseURL}/music?output_format=mp3_44100_128`;
  const body = sound
    ? {
        text: request.description ?? request.prompt,
        // Sound effects run 0.5–30 s.
        duration_seconds: Math.min(30, Math.max(0.5, request.durationSec)),
        prompt_influence: 0.3,
        ...(ctx.modelId === 'sound-generation' ? {} : { model_id: ctx.modelId }),
      }
    : elevenLabsMusicBody(request, ctx.modelId);
  const response = await providerFetch(url, { method: 'POST', headers, body: JSON.stringify(body) }, ctx);
  const audio = await audioBody(response, ctx);
  return { ...audio, requestId: response.headers.get('request-id') ?? response.headers.get('song-id') ?? undefined };
}
