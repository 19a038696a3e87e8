/**
 * Upper estimates of what work will use, made before it runs, so a reservation covers it:
 * tokens from text size (a token always covers at least one UTF-8 byte), media seconds from
 * text at a slow speaking rate, song lyrics at a slow tempo, or the duration a request asks
 * for. What is not known before the job runs (text another step will write) gets a generous
 * default. Each reservation is settled to the real figures afterwards.
 */
import { lyricLines } from '../../media/text/lyric-lines.ts';
import type { UsageAmount } from './usage-reservations.ts';

/** Chat templates wrap each message in role markers, and some add a default system prompt. */
export const CHAT_MESSAGE_OVERHEAD_TOKENS = 8;
export const CHAT_BASE_OVERHEAD_TOKENS = 32;
/** A raw completion adds at most the begin/end-of-text tokens. */
export const COMPLETION_OVERHEAD_TOKENS = 4;

/** Upper bound on the tokens of a text: every tokenizer in use covers at least one byte per token. */
export function textTokenBound(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Seconds per unit at speed 1, slower than any shipped voice speaks (eSpeak-NG: ~15 letters/s, ~4.5 Han/s). */
const SPEECH_SECONDS = { han: 0.35, letter: 0.1, sentenceEnd: 0.5, pause: 0.25, space: 0.05, start: 0.3 } as const;
const HAN = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]/u;

/** An upper estimate of how long `text` takes to say at `speed`. */
export function speechSecondsBound(text: string, speed = 1): number {
  let seconds = SPEECH_SECONDS.start;
  for (const char of text) {
    if (HAN.test(char)) seconds += SPEECH_SECONDS.han;
    else if (/[\p{L}\p{N}]/u.test(char)) seconds += SPEECH_SECONDS.letter;
    else if (/[.!?。！？…;；:：]/u.test(char)) seconds += SPEECH_SECONDS.sentenceEnd;
    else if (/[,，、\-—–()（）"“”]/u.test(char)) seconds += SPEECH_SECONDS.pause;
    else if (/\s/u.test(char)) seconds += SPEECH_SECONDS.space;
  }
  return seconds / Math.max(0.25, speed);
}

/** Songs: an intro and outro, then each lyric line over at least two bars of 4/4. */
const SONG = { frameBars: 8, minBarsPerLine: 2, syllablesPerBar: 4, slowestDefaultTempo: 56, minTempo: 30 } as const;

/** An upper estimate of a song's length from its lyrics (one line per phrase) and tempo. */
export function songSecondsBound(lyrics: string, tempo?: number): number {
  const lines = lyricLines(lyrics).filter((l) => !/^\[.*\]$/.test(l));
  let bars = SONG.frameBars;
  for (const line of lines) {
    const syllables = [...line].filter((c) => HAN.test(c)).length + 2 * (line.match(/[\p{L}\p{N}]+/gu)?.length ?? 0);
    bars += Math.max(SONG.minBarsPerLine, Math.ceil(syllables / SONG.syllablesPerBar));
  }
  const bpm = Math.max(SONG.minTempo, tempo ?? SONG.slowestDefaultTempo);
  return (bars * 4 * 60) / bpm;
}

/** When a step's text or length comes from another step, it is not known before the job runs. */
export const UNKNOWN_MEDIA_SECONDS = { speech: 120, song: 180, video: 180, npc: 60 } as const;
/** Output tokens a text step may write when the input names no limit (the steps' defaults are lower). */
export const DEFAULT_STEP_OUTPUT_TOKENS = 1024;

interface StepShape {
  readonly uses: string;
  readonly with: Record<string, unknown>;
}

export interface JobEstimateContext {
  /** The length of a media input (an `art_…`/`upl_…` id, a URL) when it can be read cheaply. */
  mediaSeconds(ref: string): Promise<number | undefined>;
  /** Extra seconds an explicit audio label adds to each audio or video output ('insert' mode). */
  readonly labelSecondsPerOutput: number;
}

const STEP_INPUT_REF = /^inputs\.([A-Za-z0-9_-]+)$/;

/** A step input's value before the job runs: a literal, the job's input, or undefined when another step makes it. */
function valueOf(raw: unknown, input: Record<string, unknown>, defaults: Record<string, unknown>): unknown {
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw) && typeof (raw as { $from?: unknown }).$from === 'string') {
    const match = STEP_INPUT_REF.exec((raw as { $from: string }).$from);
    if (match === null) return undefined;
    const name = match[1]!;
    return input[name] ?? defaults[name];
  }
  return raw;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Steps that call a text model, with the input that multiplies their calls. */
const TEXT_MODEL_STEPS: Readonly<Record<string, { multiplier?: string; defaultMultiplier?: number }>> = {
  'text.generate': {},
  'prompt.expand': { multiplier: 'count', defaultMultiplier: 4 },
  'code.generate': { multiplier: 'samples', defaultMultiplier: 8 },
  'science.solve': {},
  'music.lyrics': {},
  'video.article-script': {},
  // Up to 3 attempts (the errors sent back); no input names the count, so the default applies.
  'video.short-script': { multiplier: 'attempts', defaultMultiplier: 3 },
  'vision.describe': {},
  'npc.reply': {},
};

/** Steps whose outputs are never audio or video. */
const NO_MEDIA_PREFIXES = ['text.', 'prompt.', 'code.', 'science.', 'image.', 'vision.'];
const NO_MEDIA_STEPS = new Set(['music.lyrics', 'speech.align', 'speech.transcribe', 'video.cover', 'video.article-script', 'video.short-script', 'video.short-pictures', 'npc.promised-item', 'model3d.cloud']);
/** A short: its target is at most 180 s, and narration may run past the target by a quarter. */
const SHORT_MAX_SECONDS = 240;

/** model3d.generate: a text model writes the program only when one is named, up to this many tries of this many tokens. */
const SCENE_TEXT_MODEL = { attempts: 3, outputTokens: 4096 } as const;
/** The turntable video model3d.generate renders when asked (render-model.ts: 4 s by default, 20 s at most). */
const TURNTABLE_SECONDS = 20;

async function stepMediaSeconds(step: StepShape, value: (name: string) => unknown, ctx: JobEstimateContext): Promise<number> {
  const { uses } = step;
  if (NO_MEDIA_STEPS.has(uses) || NO_MEDIA_PREFIXES.some((p) => uses.startsWith(p))) return 0;
  const label = ctx.labelSecondsPerOutput;
  const source = async () => {
    const ref = str(value('source'));
    return ref === undefined ? undefined : ctx.mediaSeconds(ref);
  };
  switch (uses) {
    case 'speech.synthesize':
    case 'speech.piper':
    case 'speech.cloud': {
      const text = str(value('text'));
      return (text === undefined ? UNKNOWN_MEDIA_SECONDS.speech : speechSecondsBound(text, num(value('speed')) ?? 1)) + label;
    }
    case 'music.song': {
      const lyrics = str(value('lyrics'));
      return (lyrics === undefined ? UNKNOWN_MEDIA_SECONDS.song : songSecondsBound(lyrics, num(value('tempo')))) + label;
    }
    case 'music.cloud':
      // Providers may round a requested length up: allow a tenth more.
      return (num(value('duration')) ?? 30) * 1.1 + label;
    case 'video.cloud-clip':
      return (num(value('duration')) ?? 8) * 1.1 + label;
    case 'video.subtitles':
    case 'video.dub':
    case 'video.portrait':
    case 'video.stabilize':
    case 'video.enhance':
      return ((await source()) ?? UNKNOWN_MEDIA_SECONDS.video) + label;
    case 'npc.reply':
      return UNKNOWN_MEDIA_SECONDS.npc + label;
    case 'video.short':
      return SHORT_MAX_SECONDS + label;
    case 'model3d.generate':
      return value('turntable') === true ? TURNTABLE_SECONDS + label : 0;
    default:
      // Any other audio or video maker (narrated, lyric and folder videos, new steps).
      return uses.startsWith('speech.') ? UNKNOWN_MEDIA_SECONDS.speech + label : UNKNOWN_MEDIA_SECONDS.video + label;
  }
}

function stepTokens(step: StepShape, value: (name: string) => unknown): { prompt: number; output: number } {
  if (step.uses === 'model3d.generate') {
    // The built-in library and a given program use no text model; the few-shot examples are in the prompt.
    if (str(value('model')) === undefined || value('program') !== undefined) return { prompt: 0, output: 0 };
    const prompt = CHAT_BASE_OVERHEAD_TOKENS + 8192 + textTokenBound(str(value('prompt')) ?? '');
    return { prompt: prompt * SCENE_TEXT_MODEL.attempts, output: SCENE_TEXT_MODEL.outputTokens * SCENE_TEXT_MODEL.attempts };
  }
  const model = TEXT_MODEL_STEPS[step.uses];
  if (model === undefined) return { prompt: 0, output: 0 };
  let prompt = CHAT_BASE_OVERHEAD_TOKENS;
  for (const name of Object.keys(step.with)) {
    const v = value(name);
    if (typeof v === 'string') prompt += textTokenBound(v);
    else if (v !== undefined && typeof v === 'object') prompt += textTokenBound(JSON.stringify(v));
  }
  const times = Math.max(1, model.multiplier === undefined ? 1 : (num(value(model.multiplier)) ?? model.defaultMultiplier ?? 1));
  const output = num(value('maxTokens')) ?? DEFAULT_STEP_OUTPUT_TOKENS;
  return { prompt: prompt * times, output: output * times };
}

/** The loose shape of a pipeline spec: enough to estimate from, validated for real by the runner. */
function stepsOf(spec: unknown): { steps: StepShape[]; defaults: Record<string, unknown> } {
  const record = spec !== null && typeof spec === 'object' ? (spec as Record<string, unknown>) : {};
  const steps = (Array.isArray(record.steps) ? record.steps : [])
    .filter((s): s is Record<string, unknown> => s !== null && typeof s === 'object' && typeof (s as { uses?: unknown }).uses === 'string')
    .map((s) => ({ uses: String(s.uses), with: s.with !== null && typeof s.with === 'object' && !Array.isArray(s.with) ? (s.with as Record<string, unknown>) : {} }));
  const inputs = record.inputs !== null && typeof record.inputs === 'object' ? (record.inputs as Record<string, unknown>) : {};
  const defaults = Object.fromEntries(
    Object.entries(inputs)
      .filter(([, port]) => port !== null && typeof port === 'object' && 'default' in (port as object))
      .map(([name, port]) => [name, (port as { default: unknown }).default]),
  );
  return { steps, defaults };
}

export interface JobEstimate extends UsageAmount {
  /** The prompt part of `tokens`: what a finished job is charged besides the text it wrote. */
  readonly promptTokens: number;
}

/** What a job may use at most, from its pipeline and input, before it runs. */
export async function estimateJob(spec: unknown, input: Record<string, unknown>, ctx: JobEstimateContext): Promise<JobEstimate> {
  const { steps, defaults } = stepsOf(spec);
  let promptTokens = 0;
  let outputTokens = 0;
  let seconds = 0;
  for (const step of steps) {
    const value = (name: string) => valueOf(step.with[name], input, defaults);
    const tokens = stepTokens(step, value);
    promptTokens += tokens.prompt;
    outputTokens += tokens.output;
    seconds += await stepMediaSeconds(step, value, ctx);
  }
  return { tokens: promptTokens + outputTokens, promptTokens, mediaMs: Math.ceil(seconds * 1000) };
}
