import { phonemizeReplySchema } from '../espeak/protocol.ts';
import { EspeakRunnerClient, type RunnerClientOptions } from '../espeak/runner-client.ts';
import { ShenbiError } from '../../core/errors.ts';

/** Text to eSpeak IPA, one sentence at a time. */
export type Phonemize = (text: string, espeakVoice: string, signal?: AbortSignal) => Promise<string>;

/**
 * Phonemes come from eSpeak-NG in its own runner process (GPL-3.0, kept behind the process
 * boundary): this module only sends text and reads back a string.
 */
export function createEspeakPhonemizer(options: RunnerClientOptions = {}): { phonemize: Phonemize; close(): Promise<void> } {
  const client = new EspeakRunnerClient(options);
  return {
    async phonemize(text, voice, signal) {
      const reply = phonemizeReplySchema.safeParse(await client.request({ op: 'phonemize', text, voice }, signal));
      if (!reply.success) throw new ShenbiError('ENGINE_FAILED', 'The eSpeak-NG runner sent a malformed phonemize reply.');
      return reply.data.phonemes;
    },
    close: () => client.close(),
  };
}
