import { toShenbiError } from '../../../core/errors.ts';
import type { StepDefinition } from '../../../core/step.ts';
import { OCR_ENGINE_INFO, recognizeText } from '../../../engines/ocr/tesseract.ts';
import { readMediaInput, type MediaPolicy } from '../media-input.ts';

/** Text in an image (English and Simplified Chinese), with per-line boxes and confidence. */
export function ocrStep(media: MediaPolicy): StepDefinition {
  return {
    type: 'vision.ocr',
    title: 'Read text in an image (OCR)',
    version: '1',
    engine: 'ocr',
    inputs: {
      image: { type: 'string', description: 'An image artifact id or a file path.' },
      languages: { type: 'json', optional: true, description: 'e.g. ["eng", "chi_sim"] or ["en", "zh"]' },
    },
    outputs: { text: { type: 'string' }, lines: { type: 'artifact' } },
    async run(ctx, inputs) {
      const { bytes, parents } = await readMediaInput(ctx, String(inputs.image), media, 'image');
      const languages = Array.isArray(inputs.languages) ? inputs.languages.map(String) : ['en', 'zh'];
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
