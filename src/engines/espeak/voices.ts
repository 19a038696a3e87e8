import { ShenbiError } from '../../core/errors.ts';

export interface EspeakVoice {
  /** eSpeak's identifier, e.g. 'sit/cmn' or 'gmw/en-US'. */
  readonly id: string;
  readonly name: string;
  /** Language tags the voice serves, most specific first, e.g. ['cmn', 'zh-cmn', 'zh']. */
  readonly languages: readonly string[];
}

/** Common tags mapped to the voice that should answer them (eSpeak's own 'en' is British). */
const PREFERRED_VOICES: Readonly<Record<string, string>> = {
  zh: 'sit/cmn',
  cmn: 'sit/cmn',
  'zh-cn': 'sit/cmn',
  'zh-sg': 'sit/cmn',
  'zh-tw': 'sit/cmn',
  'zh-hans': 'sit/cmn',
  'zh-hant': 'sit/cmn',
  'zh-cmn': 'sit/cmn',
  'cmn-hans': 'sit/cmn',
  'zh-hk': 'sit/yue',
  'zh-yue': 'sit/yue',
  yue: 'sit/yue',
  en: 'gmw/en-US',
  'en-us': 'gmw/en-US',
};

const LANGUAGE_TAG = /^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$/;

export const LIST_VOICES_HINT = 'List the voices with `shenbi models voices` (or `shenbi models voices --language zh`): ids like "sit/cmn" or "gmw/en-US", or their short names "cmn", "en-US".';

/** Mandarin for text with Han characters, English otherwise. */
export function detectLanguage(text: string): string {
  return /\p{Script=Han}/u.test(text) ? 'cmn' : 'en';
}

function normalizeTag(language: string): string {
  return language.trim().toLowerCase().replaceAll('_', '-');
}

function findVoiceById(voices: readonly EspeakVoice[], id: string): EspeakVoice | undefined {
  return voices.find((voice) => voice.id.toLowerCase() === id);
}

/** A voice by its id ('sit/cmn'), short name ('cmn') or display name ('Chinese (Mandarin, latin as English)'). */
export function findVoice(voices: readonly EspeakVoice[], query: string): EspeakVoice | undefined {
  const wanted = query.trim().toLowerCase();
  return (
    findVoiceById(voices, wanted) ??
    voices.find((voice) => voice.id.slice(voice.id.lastIndexOf('/') + 1).toLowerCase() === wanted) ??
    voices.find((voice) => voice.name.toLowerCase() === wanted)
  );
}

/** The voice for a language tag: preferred defaults first, then an exact tag, then the primary subtag. */
export function voiceForLanguage(voices: readonly EspeakVoice[], language: string): EspeakVoice | undefined {
  const tag = normalizeTag(language);
  if (!LANGUAGE_TAG.test(tag)) return undefined;
  const primary = tag.split('-')[0]!;
  const preferred = PREFERRED_VOICES[tag] ?? PREFERRED_VOICES[primary];
  const byPreference = preferred === undefined ? undefined : findVoiceById(voices, preferred.toLowerCase());
  if (byPreference !== undefined) return byPreference;
  const has = (voice: EspeakVoice, wanted: string) => voice.languages.some((l) => l.toLowerCase() === wanted);
  return voices.find((voice) => has(voice, tag)) ?? voices.find((voice) => has(voice, primary));
}

export interface ResolvedVoice {
  readonly voice: EspeakVoice;
  /** The language reported with the result: the caller's tag (normalized), or the detected/voice one. */
  readonly language: string;
}

/** Picks the voice for a request; throws UNKNOWN_VOICE or UNSUPPORTED_LANGUAGE with a way out. */
export function resolveVoice(voices: readonly EspeakVoice[], request: { text: string; language?: string; voice?: string }): ResolvedVoice {
  if (request.voice !== undefined) {
    const voice = findVoice(voices, request.voice);
    if (voice === undefined) {
      throw new ShenbiError('UNKNOWN_VOICE', `eSpeak-NG has no voice "${request.voice}".`, { hint: LIST_VOICES_HINT, details: { voice: request.voice } });
    }
    if (request.language !== undefined && voiceForLanguage(voices, request.language) === undefined) throw unsupported(request.language);
    return { voice, language: request.language === undefined ? (voice.languages[0] ?? 'und') : normalizeTag(request.language) };
  }
  const language = request.language === undefined ? detectLanguage(request.text) : normalizeTag(request.language);
  const voice = voiceForLanguage(voices, language);
  if (voice === undefined) throw unsupported(request.language ?? language);
  return { voice, language };
}

function unsupported(language: string): ShenbiError {
  return new ShenbiError('UNSUPPORTED_LANGUAGE', `eSpeak-NG has no voice for language "${language}".`, {
    hint: `Use a language tag such as "zh" (Mandarin) or "en" (English). ${LIST_VOICES_HINT}`,
    details: { language },
  });
}
