import { z } from 'zod';

/**
 * The messages that cross the process boundary to runner/espeak-runner.mjs. Every reply is
 * validated here before the main process trusts it.
 */

export interface VoicesRequest {
  op: 'voices';
}

export interface SynthesizeRequest {
  op: 'synthesize';
  text: string;
  /** An eSpeak voice identifier, e.g. 'sit/cmn'. */
  voice: string;
  /** Words per minute (eSpeak: 80..450). */
  rate: number;
  /** eSpeak base pitch, 0..100 (50 = the voice's normal pitch). */
  pitch: number;
  /** eSpeak pitch range (intonation), 0..100: 50 normal, 0 monotone (what singing starts from). */
  range?: number;
}

/** Text to eSpeak's IPA phonemes (what Piper voices are trained on); no audio. */
export interface PhonemizeRequest {
  op: 'phonemize';
  text: string;
  /** An eSpeak voice identifier or name, e.g. 'en-us', 'cmn'. */
  voice: string;
}

/**
 * Synthesizes each text with its voice and drops the audio. A fresh runner's first several
 * hundred characters run several times slower than later ones (numbers in warm-up.ts), so a
 * server warms its runner at startup instead of letting its first jobs pay for it.
 */
export interface WarmUpRequest {
  op: 'warm-up';
  runs: { voice: string; text: string }[];
}

export type RunnerRequest = VoicesRequest | SynthesizeRequest | PhonemizeRequest | WarmUpRequest;

/** IPA with '_' between phonemes, ' ' between words and '|' between clauses. */
export const phonemizeReplySchema = z.object({ phonemes: z.string() });

export const runnerEventSchema = z.object({
  type: z.enum(['word', 'sentence', 'end', 'phoneme']),
  /** 0-based code-point offset into the request text. */
  charIndex: z.number().int().nonnegative(),
  charLength: z.number().int().nonnegative(),
  /** Seconds from the start of the audio. */
  time: z.number().nonnegative(),
  /** On 'phoneme' events: eSpeak's phoneme ('ˈoʊ', 'tɕh', '(en)' for a language switch); '' is a pause. */
  phoneme: z.string().max(64).optional(),
});
export type RunnerEvent = z.infer<typeof runnerEventSchema>;

export const runnerVoiceSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  languages: z.array(z.string()),
});
export type RunnerVoice = z.infer<typeof runnerVoiceSchema>;

export const voicesReplySchema = z.object({ voices: z.array(runnerVoiceSchema) });

export const synthesizeReplySchema = z.object({
  sampleRate: z.number().int().positive(),
  samples: z.instanceof(Int16Array),
  events: z.array(runnerEventSchema),
});
export type SynthesizeReply = z.infer<typeof synthesizeReplySchema>;

export const replyEnvelopeSchema = z.union([
  z.looseObject({ id: z.number().int(), ok: z.literal(true) }),
  z.object({
    id: z.number().int(),
    ok: z.literal(false),
    error: z.object({ code: z.string(), message: z.string() }),
  }),
]);
export type ReplyEnvelope = z.infer<typeof replyEnvelopeSchema>;
