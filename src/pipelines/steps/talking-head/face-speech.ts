import { ShenbiError, toShenbiError } from '../../../core/errors.ts';
import type { StepContext } from '../../../core/step.ts';
import type { TimedText } from '../../../core/timing.ts';
import { forcedAlign } from '../../../engines/align/index.ts';
import { ESPEAK_ENGINE_INFO, type EspeakEngine } from '../../../engines/espeak/index.ts';
import type { MouthTrack } from '../../../engines/talking-head/types.ts';
import { mouthTrackFromEnvelope, mouthTrackOffThread, phonemesFromWords, speechEnvelopeOffThread, visemesFromPhonemes } from '../../../engines/talking-head/visemes/index.ts';
import { decodeAudio } from '../../../media/audio/encode.ts';
import { durationOf } from '../../../media/audio/pcm.ts';
import { readMediaInput, type MediaPolicy } from '../media-input.ts';
import { storeSpeech } from '../speech/store-speech.ts';
import { TALKING_HEAD_FPS, TALKING_HEAD_MAX_SECONDS, type TalkingHeadInput } from './talking-head-input.ts';

/** The speech engine a talking head needs: speech with phoneme timings, and text → IPA for aligned words. */
export interface TalkingHeadVoice {
  synthesize: EspeakEngine['synthesize'];
  phonemize(text: string, options: { language?: string; signal?: AbortSignal }): Promise<string>;
}

/** Where the mouth's timing came from, recorded in the provenance. */
export type LipSyncSource = 'speech-phonemes' | 'aligned-words' | 'audio-envelope';

export interface FaceSpeech {
  /** The audio to put in the video (the stored speech artifact's bytes, or the user's file). */
  readonly audioBytes: Buffer;
  readonly duration: number;
  readonly track: MouthTrack;
  readonly lipSync: LipSyncSource;
  /** Sentences on the audio's timeline, for subtitles (empty without text). */
  readonly sentences: readonly TimedText[];
  readonly words: readonly TimedText[];
  /** Stored speech (text input only). */
  readonly audioArtifact?: string;
  readonly timingsArtifact?: string;
  /** The user's audio artifact, when it was one. */
  readonly parents: readonly string[];
}

/**
 * The voice and the mouth's track. Text alone: eSpeak speaks it and its phoneme events time
 * the visemes exactly. The user's audio with its text: the words are aligned to the audio and
 * each word's phonemes spread over it. Audio alone: the opening follows the audio's envelope.
 * The envelope of the real audio gates the opening in every case, so silence closes the mouth.
 */
export async function faceSpeech(ctx: StepContext, input: TalkingHeadInput, voice: TalkingHeadVoice, media: MediaPolicy): Promise<FaceSpeech> {
  const fps = TALKING_HEAD_FPS;
  if (input.audio === undefined) {
    if (input.text === '') throw new ShenbiError('INVALID_INPUT', 'A talking head needs a script (text) or audio to lip-sync.');
    ctx.progress({ fraction: 0.1, message: 'speaking the script' });
    const result = await engineCall(ctx, () =>
      voice.synthesize({
        text: input.text,
        speed: input.speed,
        signal: ctx.signal,
        ...(input.language === undefined ? {} : { language: input.language }),
        ...(input.voice === undefined ? {} : { voice: input.voice }),
      }),
    );
    const duration = durationOf(result.audio);
    checkDuration(duration);
    const stored = await storeSpeech(ctx, result.audio, {
      format: 'wav',
      loudness: -16,
      engine: { id: ESPEAK_ENGINE_INFO.id, version: ESPEAK_ENGINE_INFO.version },
      parameters: { voice: result.voice, language: result.language, speed: input.speed, format: 'wav', loudness: -16 },
      timings: (d) => ({ words: result.words, sentences: result.sentences, phonemes: result.phonemes, duration: d, voice: result.voice, language: result.language }),
    });
    const envelope = await speechEnvelopeOffThread(result.audio, fps, { signal: ctx.signal });
    const track = await mouthTrackOffThread({ visemes: visemesFromPhonemes(result.phonemes), duration, fps, envelope }, { signal: ctx.signal });
    const { bytes } = await ctx.readArtifact(stored.audio);
    return { audioBytes: bytes, duration, track, lipSync: 'speech-phonemes', sentences: result.sentences, words: result.words, audioArtifact: stored.audio, timingsArtifact: stored.timings, parents: [] };
  }

  const read = await readMediaInput(ctx, input.audio, media, 'audio');
  ctx.progress({ fraction: 0.1, message: `reading ${read.name}` });
  const audio = await decodeAudio(read.bytes, { signal: ctx.signal });
  const duration = durationOf(audio);
  checkDuration(duration);
  const envelope = await speechEnvelopeOffThread(audio, fps, { signal: ctx.signal });
  if (input.text === '') {
    return { audioBytes: read.bytes, duration, track: mouthTrackFromEnvelope(envelope, fps), lipSync: 'audio-envelope', sentences: [], words: [], parents: read.parents };
  }
  ctx.progress({ fraction: 0.15, message: 'aligning the script to the audio' });
  const language = input.language;
  const aligned = await engineCall(ctx, () =>
    forcedAlign(audio, input.text, {
      synthesize: async (text, o) => {
        const r = await voice.synthesize({ text, ...(o.language ? { language: o.language } : {}), ...(o.signal ? { signal: o.signal } : {}) });
        return { audio: r.audio, words: r.words };
      },
      ...(language === undefined ? {} : { language }),
      signal: ctx.signal,
    }),
  );
  const phonemes = await engineCall(ctx, () => phonemesFromWords(aligned.words, (text) => voice.phonemize(text, { signal: ctx.signal, ...(language === undefined ? {} : { language }) })));
  const track = await mouthTrackOffThread({ visemes: visemesFromPhonemes(phonemes), duration, fps, envelope }, { signal: ctx.signal });
  return { audioBytes: read.bytes, duration, track, lipSync: 'aligned-words', sentences: aligned.sentences, words: aligned.words, parents: read.parents };
}

function checkDuration(seconds: number): void {
  if (seconds > TALKING_HEAD_MAX_SECONDS) {
    throw new ShenbiError('INVALID_INPUT', `The speech lasts ${Math.round(seconds / 60)} minutes; one talking-head video is at most ${TALKING_HEAD_MAX_SECONDS / 60} minutes. Split the script.`, {
      details: { seconds: Math.round(seconds), maxSeconds: TALKING_HEAD_MAX_SECONDS },
    });
  }
  if (seconds < 0.2) throw new ShenbiError('MEDIA_INVALID', 'The audio is shorter than 0.2 s: nothing to lip-sync.');
}

async function engineCall<T>(ctx: StepContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    throw toShenbiError(error, 'ENGINE_FAILED');
  }
}
