import { z } from 'zod';
import { toShenbiError } from '../../../core/errors.ts';
import { inputPorts } from '../../../core/step-inputs.ts';
import type { StepDefinition } from '../../../core/step.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { transcribe, WHISPER_ENGINE_INFO } from '../../../engines/whisper/index.ts';
import { decodeAudio } from '../../../media/audio/encode.ts';
import { readMediaInput, type MediaPolicy } from '../media-input.ts';
import { SUBTITLE_FORMATS, SUBTITLE_MIME, subtitleFile } from './subtitle-formats.ts';
import { present } from '../present-inputs.ts';

/** A model name → its installed file (the model manager; MODEL_NOT_INSTALLED with the pull command otherwise). */
export type ModelFileResolver = (name: string) => Promise<{ path: string; name: string; sha256: string | null }>;

export const DEFAULT_TRANSCRIPTION_MODEL = 'whisper-base';

const inputSchema = z.object({
  audio: z.string().min(1).describe('An audio artifact id or a file path.'),
  language: z.string().min(2).max(35).optional().describe('auto (default) or a code such as zh, en.'),
  wordTimestamps: z.boolean().default(true),
  format: z.enum(SUBTITLE_FORMATS).default('srt'),
  model: z.string().min(1).default(DEFAULT_TRANSCRIPTION_MODEL),
});

/** Speech recognition with whisper.cpp: the text, word or segment timings, and subtitles. */
export function transcribeStep(resolveModel: ModelFileResolver, media: MediaPolicy): StepDefinition {
  return {
    type: 'speech.transcribe',
    title: 'Transcribe speech',
    description: 'Speech recognition (whisper.cpp): text with word timestamps and detected language, plus subtitles.',
    version: '1',
    engine: 'speech',
    modelInput: 'model',
    inputs: inputPorts(inputSchema),
    outputs: { text: { type: 'string' }, transcript: { type: 'artifact' }, subtitles: { type: 'artifact' } },
    cacheSalt: async (inputs) => {
      const model = await resolveModel(typeof inputs.model === 'string' ? inputs.model : DEFAULT_TRANSCRIPTION_MODEL);
      return { model: model.name, sha256: model.sha256 };
    },
    async run(ctx, inputs) {
      const input = parseOrThrow(inputSchema, present(inputs), 'speech.transcribe input');
      const model = await resolveModel(input.model);
      const { bytes, parents } = await readMediaInput(ctx, input.audio, media, 'audio');
      const audio = await decodeAudio(bytes, { sampleRate: 16_000, signal: ctx.signal });
      ctx.progress({ fraction: 0.1, message: `recognising with ${model.name}` });
      let result;
      try {
        result = await transcribe(audio, { modelPath: model.path, language: input.language ?? 'auto', wordTimestamps: input.wordTimestamps, signal: ctx.signal });
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        throw toShenbiError(error, 'ENGINE_FAILED');
      }
      const engine = { id: WHISPER_ENGINE_INFO.id, version: WHISPER_ENGINE_INFO.version };
      const provenanceModel = { name: model.name, sha256: model.sha256 };
      const parameters = { language: result.language ?? input.language ?? null, wordTimestamps: input.wordTimestamps, format: input.format };
      const transcript = await ctx.writeArtifact({
        kind: 'json',
        mimeType: 'application/json',
        bytes: Buffer.from(JSON.stringify(result, null, 2), 'utf8'),
        name: 'transcript.json',
        parents,
        engine,
        model: provenanceModel,
        parameters,
      });
      const subtitles = await ctx.writeArtifact({
        kind: 'subtitle',
        mimeType: SUBTITLE_MIME[input.format],
        bytes: Buffer.from(subtitleFile(input.format, result.words, result.segments), 'utf8'),
        name: `transcript.${input.format}`,
        parents: [...parents, transcript.id],
        engine,
        model: provenanceModel,
        parameters,
      });
      return { text: result.text, transcript: transcript.id, subtitles: subtitles.id };
    },
  };
}
