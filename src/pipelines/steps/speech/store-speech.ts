import type { StepContext } from '../../../core/step.ts';
import { AUDIO_MIME_TYPES, encodeAudio, type AudioFormat } from '../../../media/audio/encode.ts';
import { masterWavOffThread, normalizeLoudnessOffThread } from '../../../media/audio/off-thread.ts';
import { durationOf, type PcmAudio } from '../../../media/audio/pcm.ts';
import { movable } from '../../../workers/off-thread.ts';

export interface StoreSpeechOptions {
  format: AudioFormat;
  /** Integrated loudness target, LUFS (ceiling −1 dBTP). */
  loudness: number;
  engine: { id: string; version: string };
  model?: { name: string; sha256: string | null };
  parameters: Record<string, unknown>;
  /** The timings file's content, given the final duration. */
  timings: (duration: number) => Record<string, unknown>;
  /** Report "encoding" progress (the local engines do; the cloud step reports its own). */
  reportEncoding?: boolean;
  /**
   * The caller never reads `speech` again: its samples move to the worker thread instead of
   * being copied (80 s of 22.05 kHz audio is 7 MB; the copy ran on the event loop).
   */
  moveSamples?: boolean;
}

/**
 * The common end of every speech step: loudness-normalize, encode, and store the audio plus
 * its timings file (a child of the audio), both with the same engine, model and parameters.
 */
export async function storeSpeech(ctx: StepContext, speech: PcmAudio, options: StoreSpeechOptions): Promise<{ audio: string; timings: string; duration: number }> {
  const target = { targetLufs: options.loudness, peakDb: -1 };
  const run = { signal: ctx.signal, ...(options.moveSamples === true ? { transfer: movable(speech.samples) } : {}) };
  // Read before the samples may move away.
  const samples = speech.samples.length;
  let bytes: Buffer;
  let duration: number;
  // The checks encodeAudio makes (samples, rate) fall to the general path, which reports them.
  const plainWav = options.format === 'wav' && samples > 0 && Number.isInteger(speech.sampleRate) && speech.sampleRate >= 8000 && speech.sampleRate <= 192_000;
  if (plainWav) {
    // Normalise and write the WAV in one worker task (the same bytes as the two steps below).
    if (options.reportEncoding === true) ctx.progress({ fraction: 0.7, message: 'encoding wav' });
    const mastered = await masterWavOffThread(speech, target, 1, run);
    bytes = mastered.bytes;
    duration = mastered.frames / mastered.sampleRate;
  } else {
    const audio = await normalizeLoudnessOffThread(speech, target, run);
    if (options.reportEncoding === true) ctx.progress({ fraction: 0.7, message: `encoding ${options.format}` });
    bytes = await encodeAudio(audio, options.format, { signal: ctx.signal });
    duration = durationOf(audio);
  }
  const common = { engine: options.engine, ...(options.model ? { model: options.model } : {}), parameters: options.parameters };
  // Never read again here: governance may move the file to its workers instead of copying it.
  const audioArtifact = await ctx.writeArtifact({ kind: 'audio', mimeType: AUDIO_MIME_TYPES[options.format], bytes, name: `speech.${options.format}`, bytesMovable: true, ...common });
  const timingsArtifact = await ctx.writeArtifact({
    kind: 'json',
    mimeType: 'application/json',
    bytes: Buffer.from(JSON.stringify(options.timings(duration), null, 2), 'utf8'),
    name: 'speech-timings.json',
    parents: [audioArtifact.id],
    ...common,
  });
  return { audio: audioArtifact.id, timings: timingsArtifact.id, duration };
}
