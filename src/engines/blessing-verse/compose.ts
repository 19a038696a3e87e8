import { seededRandom, seedFromText, shuffle } from '../seeded-random.ts';
import { EN_LINES, THEME_KEYWORDS, ZH_LINES, type Theme } from './phrases.ts';

export interface VerseRequest {
  recipient: string;
  wish: string;
  /** 'zh', 'en', or 'auto' (Chinese when the request contains CJK characters). */
  language: 'zh' | 'en' | 'auto';
  seed?: number | undefined;
}

export interface Verse {
  language: 'zh' | 'en';
  theme: Theme;
  title: string;
  lines: string[];
  seed: number;
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/** Picks the theme whose keywords appear in the wish; ties go to the earliest listed theme. */
export function themeOf(wish: string): Theme {
  const lower = wish.toLowerCase();
  for (const [theme, words] of Object.entries(THEME_KEYWORDS) as [Theme, readonly string[]][]) {
    if (words.some((w) => lower.includes(w))) return theme;
  }
  return 'general';
}

/**
 * A procedural verse composer: the blessing showcase's text engine until a language model
 * is installed. Deterministic for a given seed (derived from the request when absent).
 */
export function composeVerse(request: VerseRequest): Verse {
  const language = request.language === 'auto' ? (CJK.test(request.recipient + request.wish) ? 'zh' : 'en') : request.language;
  const seed = request.seed ?? seedFromText(`${request.recipient}\u0000${request.wish}\u0000${language}`);
  const random = seededRandom(seed);
  const theme = themeOf(request.wish);
  let lines: string[];
  if (language === 'zh') {
    // Seven-character lines stand alone, so they can be drawn and mixed freely.
    const themed = shuffle(random, ZH_LINES[theme]);
    const general = shuffle(random, ZH_LINES.general.filter((line) => !themed.includes(line)));
    lines = themed.slice(0, 2);
    for (const line of themed.slice(2)) lines.push(random() < 0.7 ? line : (general.shift() ?? line));
  } else {
    // An English stanza is one sentence: keep its lines in order.
    lines = [...EN_LINES[theme]];
  }
  const title = language === 'zh' ? `致${request.recipient}：${request.wish}` : `For ${request.recipient}: ${request.wish}`;
  return { language, theme, title, lines, seed };
}
