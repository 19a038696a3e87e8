import type { TimedText } from '../../core/timing.ts';
import type { PcmAudio } from '../../media/audio/pcm.ts';
import { resample } from '../../media/audio/resample.ts';
import { splitSentences } from '../../media/text/sentences.ts';

/** Synthetic speech of a known text with the time of each word: what the real audio is aligned against. */
export interface ReferenceSpeech {
  readonly audio: PcmAudio;
  readonly words: readonly TimedText[];
}

/** Any TTS with word timings (injected, so alignment depends on no one engine). */
export type SynthesizeFn = (text: string, options: { language?: string; signal?: AbortSignal }) => Promise<ReferenceSpeech>;

/** Groups sentences into chunks of at most `maxChars` (a longer sentence is a chunk of its own). */
export function chunkScript(script: string, maxChars: number): string[] {
  if (script.length <= maxChars) return [script];
  const chunks: string[] = [];
  let current = '';
  for (const sentence of splitSentences(script)) {
    if (current !== '' && current.length + 1 + sentence.length > maxChars) {
      chunks.push(current);
      current = '';
    }
    current = current === '' ? sentence : `${current} ${sentence}`;
  }
  if (current !== '') chunks.push(current);
  return chunks;
}

/**
 * Synthesizes a script, in sentence-aligned chunks when it is long (TTS engines cap one
 * call's text), and joins the chunks into one reference with word times on one clock.
 */
export async function synthesizeReference(
  script: string,
  synthesize: SynthesizeFn,
  options: { language?: string; signal?: AbortSignal; maxChunkChars: number },
): Promise<ReferenceSpeech> {
  const parts: ReferenceSpeech[] = [];
  for (const chunk of chunkScript(script, options.maxChunkChars)) {
    if (options.signal?.aborted) throw options.signal.reason;
    parts.push(
      await synthesize(chunk, {
        ...(options.language === undefined ? {} : { language: options.language }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      }),
    );
  }
  if (parts.length === 1) return parts[0]!;
  const sampleRate = parts[0]!.audio.sampleRate;
  const clips = parts.map((part) => resample(part.audio, sampleRate));
  const samples = new Float32Array(clips.reduce((sum, clip) => sum + clip.samples.length, 0));
  const words: TimedText[] = [];
  let offset = 0;
  clips.forEach((clip, i) => {
    samples.set(clip.samples, offset);
    const seconds = offset / sampleRate;
    for (const word of parts[i]!.words) words.push({ text: word.text, start: word.start + seconds, end: word.end + seconds });
    offset += clip.samples.length;
  });
  return { audio: { sampleRate, samples }, words };
}
