import { ShenbiError } from '../../core/errors.ts';

/** Languages by the names people use, mapped to eSpeak-NG voice names. */
const LANGUAGE_VOICES: Record<string, string> = {
  zh: 'cmn',
  'zh-cn': 'cmn',
  'zh-hans': 'cmn',
  'zh-sg': 'cmn',
  cmn: 'cmn',
  mandarin: 'cmn',
  chinese: 'cmn',
  yue: 'yue',
  'zh-hk': 'yue',
  'zh-yue': 'yue',
  cantonese: 'yue',
  en: 'en-us',
  'en-us': 'en-us',
  english: 'en-us',
  'en-gb': 'en',
};

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/** Mandarin when the text has Chinese characters, English otherwise. */
export function detectLanguage(text: string): 'zh' | 'en' {
  return CJK.test(text) ? 'zh' : 'en';
}

/** The short name eSpeak's set_voice() takes: 'gmw/en-US' → 'en-us'. */
export function shortVoiceName(id: string): string {
  return (id.split('/').at(-1) ?? id).toLowerCase();
}

/**
 * The eSpeak voice for a request: an explicit voice (optionally with a variant, 'en-us+f3')
 * must exist; otherwise the language picks one. Unknown names are errors, never a silent
 * fallback to English.
 */
export function chooseVoice(available: readonly string[], language: string, voice?: string): string {
  const names = new Set(available.map(shortVoiceName));
  if (voice !== undefined) {
    const [base = '', variant] = voice.toLowerCase().split('+');
    if (!names.has(base)) {
      throw new ShenbiError('UNKNOWN_VOICE', `eSpeak-NG has no voice "${voice}"`, {
        hint: 'List voices with `shenbi voices` (e.g. cmn, yue, en-us, en, fr-fr); add a variant as en-us+f3.',
        details: { voice },
      });
    }
    return variant ? `${base}+${variant}` : base;
  }
  const key = language.toLowerCase();
  const mapped = LANGUAGE_VOICES[key] ?? (names.has(key) ? key : undefined) ?? [...names].find((n) => n === key.split('-')[0] || n.startsWith(`${key}-`));
  if (!mapped || !names.has(mapped)) {
    throw new ShenbiError('UNSUPPORTED_LANGUAGE', `eSpeak-NG cannot speak language "${language}"`, {
      hint: 'Use a language code such as zh, en, en-GB, yue, fr, de, ja; or name a voice.',
      details: { language },
    });
  }
  return mapped;
}
