import { generateObject, jsonSchema } from 'ai';
import { ShenbiError, toShenbiError } from '../../../core/errors.ts';
import type { StepDefinition } from '../../../core/step.ts';
import { condenseToFit, contextOverflowOf } from '../text/long-input.ts';
import { modelCacheSalt, requestedModel, type TextModelResolver } from '../text/model-resolver.ts';

export interface VideoScript {
  title: string;
  scenes: { narration: string; caption: string }[];
}

/**
 * An article becomes a short-video script (as invideo does): a title and a scene per idea,
 * each with one or two sentences of narration and a short on-screen caption. An article too
 * long for the model's context is condensed first, piece by piece (long-input.ts).
 */
export function articleScriptStep(resolveModel: TextModelResolver): StepDefinition {
  return {
    type: 'video.article-script',
    title: 'Article to video script',
    description: 'Splits an article into scenes with narration and captions, written by the text model.',
    version: '2',
    engine: 'text',
    inputs: {
      article: { type: 'string' },
      scenes: { type: 'integer', optional: true, default: 5 },
      language: { type: 'string', optional: true, default: 'auto' },
      seed: { type: 'integer', optional: true },
      model: { type: 'string', optional: true },
    },
    outputs: { script: { type: 'json' }, document: { type: 'artifact' } },
    cacheSalt: modelCacheSalt(resolveModel),
    async run(ctx, inputs) {
      const article = String(inputs.article).trim();
      if (article.length < 20) throw new ShenbiError('INVALID_INPUT', 'the article is too short to make a video from (at least 20 characters)');
      if (article.length > 50_000) throw new ShenbiError('INVALID_INPUT', `the article is ${article.length} characters; the limit is 50,000`);
      const count = Math.max(2, Math.min(12, Number(inputs.scenes ?? 5)));
      const zh = inputs.language === 'zh' || (inputs.language !== 'en' && /\p{Script=Han}/u.test(article));
      const schema = {
        type: 'object',
        properties: {
          title: { type: 'string', minLength: 1, maxLength: 40 },
          scenes: {
            type: 'array',
            minItems: count,
            maxItems: count,
            items: {
              type: 'object',
              properties: { narration: { type: 'string', minLength: 4, maxLength: zh ? 80 : 220 }, caption: { type: 'string', minLength: 1, maxLength: zh ? 14 : 40 } },
              required: ['narration', 'caption'],
              additionalProperties: false,
            },
          },
        },
        required: ['title', 'scenes'],
        additionalProperties: false,
      };
      const system = zh
        ? `你把文章改写成短视频脚本：一个标题，${count}个场景，每个场景一到两句口播旁白和一句简短字幕，按文章的顺序讲清每个要点。只输出JSON。`
        : `You turn an article into a short-video script: a title and ${count} scenes, each with one or two sentences of narration and a short on-screen caption, covering the article's points in order. Output JSON only.`;
      const resolved = await resolveModel(requestedModel(inputs));
      const maxOutputTokens = 200 + count * (zh ? 160 : 120);
      const write = async (text: string): Promise<VideoScript> =>
        (
          await generateObject({
            model: resolved.model,
            system,
            prompt: text,
            schema: jsonSchema<VideoScript>(schema),
            maxOutputTokens,
            temperature: 0.6,
            ...(typeof inputs.seed === 'number' ? { seed: inputs.seed } : {}),
            abortSignal: ctx.signal,
            maxRetries: 0,
          })
        ).object;
      let script: VideoScript;
      let condensed = false;
      try {
        try {
          script = await write(article);
        } catch (error) {
          // Too long for this model's context: condense the article (map-reduce) to what fits, then write.
          const overflow = contextOverflowOf(error);
          if (overflow === undefined) throw error;
          // The system prompt's share of the overflowing prompt, by characters; the article may take what is left, with a margin.
          const systemTokens = Math.ceil((overflow.promptTokens * system.length) / (article.length + system.length)) + 16;
          const targetTokens = Math.floor((overflow.contextSize - maxOutputTokens - systemTokens) * 0.85);
          if (targetTokens < 16) throw error;
          const notes = await condenseToFit({
            model: resolved.model,
            text: article,
            targetTokens,
            overflow,
            otherPromptTokens: systemTokens,
            chinese: zh,
            ...(typeof inputs.seed === 'number' ? { seed: inputs.seed } : {}),
            signal: ctx.signal,
            onCall: ({ round, piece, pieces }) => ctx.progress({ fraction: 0.1 + 0.6 * (piece / pieces), message: `condensing the article (round ${round}, part ${piece}/${pieces})` }),
          });
          condensed = true;
          script = await write(notes);
        }
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        throw toShenbiError(error, 'ENGINE_FAILED');
      }
      const document = await ctx.writeArtifact({
        kind: 'json',
        mimeType: 'application/json',
        bytes: Buffer.from(JSON.stringify(script, null, 2), 'utf8'),
        name: 'video-script.json',
        engine: resolved.engine,
        model: { name: resolved.name, sha256: resolved.sha256 },
        parameters: { scenes: count, language: zh ? 'zh' : 'en', ...(condensed ? { condensed: true } : {}) },
        seed: typeof inputs.seed === 'number' ? inputs.seed : null,
      });
      return { script, document: document.id };
    },
  };
}
