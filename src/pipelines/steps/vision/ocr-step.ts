import { z } from 'zod';
import { toShenbiError } from '../../../core/errors.ts';
import { inputPorts } from '../../../core/step-inputs.ts';
import type { StepDefinition } from '../../../core/step.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { OCR_ENGINE_INFO, recognizeText } from '../../../engines/ocr/tesseract.ts';
import { readMediaInput, type MediaPolicy } from '../media-input.ts';
import { present } from '../present-inputs.ts';

const inputSchema = z.object({
  image: z.string().min(1).max(4096).describe('An image artifact id or a file path.'),
  languages: z.array(z.string().min(1).max(20)).min(1).max(8).default(['en', 'zh']).describe('e.g. ["eng", "chi_sim"] or ["en", "zh"]'),
});

/** Text in an image (English and Simplified Chinese), with per-line boxes and confidence. */
export function ocrStep(media: MediaPolicy): StepDefinition {
  return {
    type: 'vision.ocr',
    title: 'Read text in an image (OCR)',
    version: '1',
    engine: 'ocr',
    inputs: inputPorts(inputSchema),
    outputs: { text: { type: 'string' }, lines: { type: 'artifact' } },
    async run(ctx, inputs) {
      const { image, languages } = parseOrThrow(inputSchema, present(inputs), 'vision.ocr input');
      const { bytes, parents } = await readMediaInput(ctx, image, media, 'image');
      ctx.progress({ fraction: 0.1, message: 'reading text' });
      let result;
      try {
        result = await recognizeText(bytes, { languages });
      } catch (error) {
        throw toShenbiError(error, 'ENGINE_FAILED');
      }
      const lines = await ctx.writeArtifact({
        kind: 'json',
        mimeType: 'application/json',
        bytes: Buffer.from(JSON.stringify(result, null, 2), 'utf8'),
        name: 'ocr.json',
        parents,
        engine: { id: OCR_ENGINE_INFO.id, version: OCR_ENGINE_INFO.version },
        parameters: { languages },
      });
      return { text: result.text, lines: lines.id };
    },
  };
}
