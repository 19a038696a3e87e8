import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Context } from 'hono';
import { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';
import { parseOrThrow } from '../../core/validation.ts';
import { pipelineForTask } from '../../pipelines/index.ts';
import { sendArtifact } from '../routes/artifacts.ts';
import type { ServerServices } from '../context.ts';
import { readJsonBody } from '../middleware/json-body.ts';
import type { RouteBook } from '../route-book.ts';
import { outputArtifact, runOwnedJob } from './run-job.ts';

/** OpenAI's voice names: spoken with eSpeak's default voice for the language. */
const OPENAI_VOICES = new Set(['alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'onyx', 'nova', 'sage', 'shimmer', 'verse', 'marin', 'cedar']);

export const speechRequestSchema = z
  .object({
    /** Any name is accepted (tts-1, gpt-4o-mini-tts…); speech is eSpeak-NG, offline. */
    model: z.string().min(1).max(200),
    input: z.string().trim().min(1).max(4096),
    /** An OpenAI voice name (default voice) or an eSpeak voice id. */
    voice: z.union([z.string().min(1).max(200), z.object({ id: z.string().min(1).max(200) }).strict()]),
    response_format: z.enum(['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm']).default('mp3'),
    speed: z.number().min(0.25).max(4).default(1),
    instructions: z.string().max(4096).optional(),
    stream_format: z.literal('audio').optional(),
  })
  .strict();

/** OpenAI's response_format → the speech task's format; `opus` is Opus in Ogg, as OpenAI sends it. */
const FORMATS: Record<string, 'mp3' | 'wav' | 'flac' | 'opus' | undefined> = { mp3: 'mp3', wav: 'wav', flac: 'flac', opus: 'opus', aac: undefined, pcm: undefined };

export const transcriptionFormSchema = z
  .object({
    model: z.string().min(1).max(200),
    language: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/).optional(),
    prompt: z.string().max(10_000).optional(),
    response_format: z.enum(['json', 'text', 'srt', 'verbose_json', 'vtt']).default('json'),
    temperature: z.coerce.number().min(0).max(1).optional(),
    'timestamp_granularities[]': z.union([z.enum(['word', 'segment']), z.array(z.enum(['word', 'segment']))]).optional(),
    stream: z.enum(['false']).optional(),
  })
  .strict();

/** Upload limit for audio, as OpenAI's. */
export const MAX_AUDIO_UPLOAD_BYTES = 25 * 1024 * 1024;

export function registerAudioRoutes(book: RouteBook, services: ServerServices): void {
  book.add({ method: 'post', path: '/v1/audio/speech', summary: 'OpenAI text-to-speech: eSpeak-NG through a job, so the audio is stored and labeled.', tag: 'openai', scope: 'generate', body: speechRequestSchema, produces: 'bytes' }, async (c) => {
    const body = await readJsonBody(c, speechRequestSchema);
    const format = FORMATS[body.response_format];
    if (format === undefined) {
      throw new ShenbiError('INVALID_INPUT', `response_format "${body.response_format}" is not available; use mp3, opus, flac or wav.`, { details: { issues: [{ path: 'response_format', message: 'unsupported format' }] } });
    }
    const voice = typeof body.voice === 'string' ? body.voice : body.voice.id;
    const input = { text: body.input, speed: body.speed, format, ...(OPENAI_VOICES.has(voice) ? {} : { voice }) };
    const job = await runOwnedJob(c, services, pipelineForTask('speech', input));
    const duration = job.outputs?.duration;
    // Media seconds are reserved at submit and settled from the stored audio when the job ends.
    const artifact = await services.shenbi.store.artifacts.get(outputArtifact(job, 'audio'));
    c.header('X-Shenbi-Duration', String(duration));
    const response = await sendArtifact(c, services, artifact);
    // Played inline by clients, not saved as a download.
    response.headers.set('Content-Disposition', response.headers.get('Content-Disposition')!.replace(/^attachment/, 'inline'));
    // Stored as audio/ogg (RFC 7845); OpenAI labels its Ogg Opus responses audio/opus, and clients may switch on it.
    if (format === 'opus' && response.status < 300) response.headers.set('Content-Type', 'audio/opus');
    return response;
  });

  book.add({ method: 'post', path: '/v1/audio/transcriptions', summary: 'OpenAI speech-to-text (multipart): whisper.cpp with word timestamps.', tag: 'openai', scope: 'generate', body: transcriptionFormSchema, bodyType: 'multipart' }, async (c) => {
    const { file, ...fields } = await readMultipart(c);
    const upload = Array.isArray(file) ? file[0] : file;
    if (!(upload instanceof File)) throw new ShenbiError('INVALID_INPUT', 'body.file: an audio file is required.', { details: { issues: [{ path: 'file', message: 'required' }] } });
    if (upload.size === 0) throw new ShenbiError('MEDIA_INVALID', 'body.file: the audio file is empty.', { details: { issues: [{ path: 'file', message: 'empty' }] } });
    const options = parseOrThrow(transcriptionFormSchema, fields, 'body');
    const granularities = [options['timestamp_granularities[]'] ?? []].flat();
    const subtitleFormat = options.response_format === 'vtt' ? 'vtt' : 'srt';
    // The file becomes the caller's upload while the job reads it: the job names an upl_… id, never a server path.
    const principal = c.get('principal');
    const stored = await services.uploads.receive(upload.stream() as WebReadableStream<Uint8Array>, { tenant: principal.tenant, keyId: principal.key?.id ?? null }, upload.name, c.req.raw.signal);
    try {
      // "whisper-1" and the like mean "the default model".
      const model = /^whisper-1$|^gpt-4o/.test(options.model) ? undefined : options.model;
      const spec = pipelineForTask('transcription', { audio: stored.id, format: subtitleFormat, wordTimestamps: true, ...(options.language ? { language: options.language } : {}), ...(model ? { model } : {}) });
      const job = await runOwnedJob(c, services, spec);
      const text = String(job.outputs?.text ?? '');
      if (options.response_format === 'text') return c.text(text);
      if (options.response_format === 'srt' || options.response_format === 'vtt') {
        const { bytes } = await services.shenbi.store.artifacts.read(outputArtifact(job, 'subtitles'));
        return c.text(bytes.toString('utf8'));
      }
      if (options.response_format === 'json') return c.json({ text });
      const { bytes } = await services.shenbi.store.artifacts.read(outputArtifact(job, 'transcript'));
      const transcript = JSON.parse(bytes.toString('utf8')) as { language?: string; duration?: number; words?: unknown[]; segments?: unknown[] };
      return c.json({
        task: 'transcribe',
        language: transcript.language ?? options.language ?? null,
        duration: transcript.duration ?? null,
        text,
        ...(granularities.includes('word') || granularities.length === 0 ? { words: transcript.words ?? [] } : {}),
        ...(granularities.includes('segment') || granularities.length === 0 ? { segments: transcript.segments ?? [] } : {}),
      });
    } finally {
      await services.uploads.remove(stored.id);
    }
  });
}

/**
 * The form of a transcription request. A missing boundary, a truncated body or a body that is
 * not multipart at all is the client's error (400), not a server fault.
 */
async function readMultipart(c: Context): Promise<Record<string, string | File | (string | File)[]>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^multipart\/form-data\s*;/i.test(type)) throw new ShenbiError('UNSUPPORTED_MEDIA_TYPE', `Expected multipart/form-data, got "${type || '(none)'}".`);
  if (!/;\s*boundary=("?)[^";]+\1\s*(?:;|$)/i.test(type)) {
    throw new ShenbiError('INVALID_INPUT', 'Content-Type multipart/form-data needs a boundary parameter.', { details: { issues: [{ path: '(root)', message: 'no multipart boundary' }] } });
  }
  try {
    return await c.req.parseBody({ all: true });
  } catch (error) {
    if (error instanceof ShenbiError) throw error;
    // A client cut off while sending is not answered anyway; anything else is a malformed form.
    throw new ShenbiError('INVALID_INPUT', 'The multipart/form-data body is malformed or truncated.', { cause: error, details: { issues: [{ path: '(root)', message: 'malformed multipart body' }] } });
  }
}
