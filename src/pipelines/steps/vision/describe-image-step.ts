import { generateText } from 'ai';
import { z } from 'zod';
import { ShenbiError, toShenbiError } from '../../../core/errors.ts';
import { inputPorts } from '../../../core/step-inputs.ts';
import type { StepDefinition } from '../../../core/step.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { decodeImage, probeImage, renderImage } from '../../../engines/image-ops/probe.ts';
import { toProviderError } from '../../../engines/providers/index.ts';
import type { TextModelResolver } from '../text/model-resolver.ts';
import { readMediaInput, type MediaPolicy } from '../media-input.ts';
import { present } from '../present-inputs.ts';

/** Long side sent to a provider: more costs tokens without helping a caption. */
const MAX_SIDE = 2048;
const SENDABLE = new Set(['png', 'jpeg', 'webp', 'gif']);

const inputSchema = z.object({
  image: z.string().min(1).max(4096).describe('An image artifact id, a file path or a public URL.'),
  question: z.string().max(10_000).optional().describe('Absent: a caption.'),
  model: z.string().min(1).max(200).optional().describe('A multimodal provider:model, e.g. openai:gpt-4o-mini'),
  maxTokens: z.number().int().min(1).max(16_384).default(300),
});

const CAPTION_PROMPT =
  'Describe this image in one or two sentences: the subject, the setting and anything written in it. Answer in the language of any text in the image if it is Chinese, otherwise in English.';

/**
 * Captioning and visual question answering through a multimodal `provider:model` (the AI
 * SDK sends the picture as an image part: a data URL for OpenAI-style servers). Local
 * multimodal GGUF models are not offered: node-llama-cpp 3.21 has no image input.
 */
export function describeImageStep(resolveModel: TextModelResolver, media: MediaPolicy): StepDefinition {
  return {
    type: 'vision.describe',
    title: 'Caption an image or answer a question about it',
    version: '1',
    engine: 'vision-provider',
    inputs: inputPorts(inputSchema),
    outputs: { text: { type: 'string' }, document: { type: 'artifact' } },
    async run(ctx, inputs) {
      const input = parseOrThrow(inputSchema, present(inputs), 'vision.describe input');
      const name = input.model;
      if (name === undefined || !name.includes(':')) {
        throw new ShenbiError(
          name === undefined ? 'ENGINE_UNAVAILABLE' : 'MODEL_NOT_INSTALLED',
          name === undefined ? 'captioning and visual questions need a multimodal model' : `"${name}" is not a multimodal provider model; local multimodal GGUF models are not supported`,
          { hint: 'Pass --set model=openai:gpt-4o-mini (or another vision-capable provider:model, e.g. google:gemini-2.0-flash, qwen:qwen-vl-plus). node-llama-cpp 3.21 has no image input, so local GGUF vision models cannot be used; OCR (--set mode=ocr) works offline.' },
        );
      }
      const { bytes, parents } = await readMediaInput(ctx, input.image, media, 'image');
      const probe = await probeImage(bytes);
      let image = bytes;
      let mediaType = `image/${probe.format}`;
      if (!SENDABLE.has(probe.format) || Math.max(probe.displayWidth, probe.displayHeight) > MAX_SIDE) {
        image = (await renderImage((await decodeImage(bytes)).resize(MAX_SIDE, MAX_SIDE, { fit: 'inside', withoutEnlargement: true }).png())).data;
        mediaType = 'image/png';
      }
      const resolved = await resolveModel(name);
      const question = input.question !== undefined && input.question.trim() !== '' ? input.question : undefined;
      ctx.progress({ fraction: 0.2, message: question ? 'asking the model' : 'captioning' });
      let text: string;
      try {
        const result = await generateText({
          model: resolved.model,
          messages: [{ role: 'user', content: [{ type: 'text', text: question ?? CAPTION_PROMPT }, { type: 'image', image, mediaType }] }],
          maxOutputTokens: input.maxTokens,
          abortSignal: ctx.signal,
          maxRetries: 0,
        });
        text = result.text.trim();
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        throw toShenbiError(error instanceof ShenbiError ? error : toProviderError(error, name), 'ENGINE_FAILED');
      }
      if (text === '') throw new ShenbiError('ENGINE_FAILED', `${name} returned an empty answer`);
      const document = await ctx.writeArtifact({
        kind: 'text',
        mimeType: 'text/plain; charset=utf-8',
        bytes: Buffer.from(text, 'utf8'),
        name: question ? 'answer.txt' : 'caption.txt',
        parents,
        engine: resolved.engine,
        model: { name: resolved.name, sha256: resolved.sha256 },
        parameters: { mode: question ? 'question' : 'caption', question: question ?? null },
      });
      return { text, document: document.id };
    },
  };
}
