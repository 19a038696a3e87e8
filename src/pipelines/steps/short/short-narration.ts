import { toShenbiError } from '../../../core/errors.ts';
import type { TimedText } from '../../../core/timing.ts';
import type { EspeakEngine } from '../../../engines/espeak/index.ts';
import type { ShortScript } from '../../../engines/short/short-script.ts';
import type { TimedPhoneme } from '../../../engines/talking-head/types.ts';
import type { PcmAudio } from '../../../media/audio/pcm.ts';

/** One scene's narration as eSpeak spoke it: times from the clip's own start. */
export interface SpokenScene {
  readonly text: string;
  readonly audio: PcmAudio;
  readonly words: readonly TimedText[];
  readonly phonemes: readonly TimedPhoneme[];
  readonly seconds: number;
}

export type ShortVoice = () => Pick<EspeakEngine, 'synthesize'>;

/** Speaks every scene's narration (eSpeak, the script's language), reporting 'narrating scene i/n'. */
export async function narrateScenes(
  voice: ShortVoice,
  script: ShortScript,
  options: { voice: string | undefined; speed: number; signal: AbortSignal; onScene: (index: number, count: number) => void },
): Promise<{ scenes: SpokenScene[]; voice: string | undefined; language: string | undefined }> {
  const scenes: SpokenScene[] = [];
  let used: { voice: string | undefined; language: string | undefined } = { voice: undefined, language: undefined };
  for (const [i, scene] of script.scenes.entries()) {
    options.onScene(i, script.scenes.length);
    let result;
    try {
      result = await voice().synthesize({
        text: scene.narration,
        speed: options.speed,
        signal: options.signal,
        ...(options.voice === undefined ? {} : { voice: options.voice }),
        ...(script.language === undefined || options.voice !== undefined ? {} : { language: script.language }),
      });
    } catch (error) {
      if (options.signal.aborted) throw options.signal.reason;
      throw toShenbiError(error, 'ENGINE_FAILED');
    }
    used = { voice: result.voice, language: result.language };
    scenes.push({ text: scene.narration, audio: result.audio, words: result.words, phonemes: result.phonemes, seconds: result.audio.samples.length / result.audio.sampleRate });
  }
  return { scenes, ...used };
}

/** The whole voice track on the video's timeline: each scene's clip placed at its start, silence elsewhere. */
export function placeNarration(spoken: readonly SpokenScene[], starts: readonly number[], duration: number): PcmAudio {
  const sampleRate = spoken[0]?.audio.sampleRate ?? 22_050;
  const samples = new Float32Array(Math.round(duration * sampleRate));
  for (const [i, scene] of spoken.entries()) {
    const at = Math.round(starts[i]! * sampleRate);
    samples.set(scene.audio.samples.subarray(0, Math.max(0, samples.length - at)), at);
  }
  return { sampleRate, samples };
}
