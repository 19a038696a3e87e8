import { generateObject, jsonSchema } from 'ai';
import { z } from 'zod';
import { ShenbiError, toShenbiError } from '../../../core/errors.ts';
import { inputPorts } from '../../../core/step-inputs.ts';
import type { StepDefinition } from '../../../core/step.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { parseLyrics } from '../../../engines/composer/index.ts';
import { present } from '../present-inputs.ts';
import { modelCacheSalt, requestedModel, type TextModelResolver } from '../text/model-resolver.ts';

interface WrittenLyrics {
  title: string;
  verse: string[];
  chorus: string[];
}

const inputSchema = z.object({
  recipient: z.string().max(200),
  wish: z.string().max(2_000),
  mood: z.string().max(40).default('warm'),
  language: z.string().max(16).default('auto').describe('zh | en | auto (from the script of the recipient and the wish)'),
  seed: z.number().int().optional(),
  model: z.string().optional(),
});

/** Line lengths that fit two bars of melody: 5–10 Chinese characters, or up to ~8 English words. */
const LIMITS = { zh: { chars: 12, hint: '每行5到9个字' }, en: { chars: 48, hint: 'each line 4 to 8 words' } } as const;

export function lyricsPrompt(recipient: string, wish: string, mood: string, language: 'zh' | 'en'): { system: string; prompt: string } {
  if (language === 'zh') {
    return {
      system: '你是作词人，为祝福歌写歌词：主歌四行、副歌两到四行，每行5到9个字，押韵，温暖真诚，适合演唱。只输出JSON。',
      prompt: `为「${recipient}」写一首${mood}风格的祝福歌，祝愿：${wish}。输出 {"title": 歌名, "verse": [四行], "chorus": [两到四行]}。`,
    };
  }
  return {
    system: 'You write lyrics for blessing songs: a four-line verse and a two-to-four-line chorus, each line 4 to 8 words, rhyming, warm and singable. Output JSON only.',
    prompt: `Write a ${mood} blessing song for ${recipient}, wishing: ${wish}. Output {"title": ..., "verse": [4 lines], "chorus": [2 to 4 lines]}.`,
  };
}

/** The lyrics as text the composer reads: [Verse] and [Chorus] sections. */
export function formatLyrics(written: WrittenLyrics): string {
  const clean = (lines: string[]) => lines.map((l) => l.trim()).filter((l) => l !== '');
  return ['[Verse]', ...clean(written.verse), '', '[Chorus]', ...clean(written.chorus)].join('\n');
}

/** Recipient + wish + mood → structured song lyrics from the text engine (verse, chorus, title). */
export function lyricsStep(resolveModel: TextModelResolver): StepDefinition {
  return {
    type: 'music.lyrics',
    title: 'Write song lyrics',
    description: 'Lyrics for a blessing song: verse and chorus with line lengths that fit the melody.',
    version: '1',
    engine: 'text',
    modelInput: 'model',
    inputs: inputPorts(inputSchema),
    outputs: { lyrics: { type: 'string' }, title: { type: 'string' }, document: { type: 'artifact' } },
    cacheSalt: modelCacheSalt(resolveModel),
    async run(ctx, inputs) {
      const input = parseOrThrow(inputSchema, present(inputs), 'music.lyrics input');
      const { recipient, wish, mood } = input;
      const language: 'zh' | 'en' = input.language === 'zh' || input.language === 'en' ? input.language : /\p{Script=Han}/u.test(recipient + wish) ? 'zh' : 'en';
      const limit = LIMITS[language].chars;
      const line = { type: 'string', minLength: 2, maxLength: limit };
      const schema = {
        type: 'object',
        properties: {
          title: { type: 'string', minLength: 1, maxLength: 30 },
          verse: { type: 'array', items: line, minItems: 4, maxItems: 4 },
          chorus: { type: 'array', items: line, minItems: 2, maxItems: 4 },
        },
        required: ['title', 'verse', 'chorus'],
        additionalProperties: false,
      };
      const resolved = await resolveModel(requestedModel(inputs));
      const { system, prompt } = lyricsPrompt(recipient, wish, mood, language);
      let written: WrittenLyrics;
      try {
        const result = await generateObject({
          model: resolved.model,
          system,
          prompt,
          schema: jsonSchema<WrittenLyrics>(schema),
          maxOutputTokens: 600,
          temperature: 0.8,
          ...(input.seed === undefined ? {} : { seed: input.seed }),
          abortSignal: ctx.signal,
          maxRetries: 0,
        });
        written = result.object;
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        throw toShenbiError(error, 'ENGINE_FAILED');
      }
      const lyrics = formatLyrics(written);
      try {
        parseLyrics(lyrics);
      } catch (error) {
        throw new ShenbiError('ENGINE_FAILED', `the text model wrote lyrics that cannot be sung: ${(error as Error).message}`, { cause: error, hint: 'Try another seed or a stronger text model, or give your own lyrics.' });
      }
      const document = await ctx.writeArtifact({
        kind: 'text',
        mimeType: 'text/plain; charset=utf-8',
        bytes: Buffer.from(`${written.title}\n\n${lyrics}\n`, 'utf8'),
        name: 'lyrics.txt',
        engine: resolved.engine,
        model: { name: resolved.name, sha256: resolved.sha256 },
        parameters: { recipient, wish, mood, language },
        seed: input.seed ?? null,
      });
      return { lyrics, title: written.title.trim(), document: document.id };
    },
  };
}
