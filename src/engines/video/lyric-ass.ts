import type { TimedText } from '../../core/timing.ts';

/** A lyric line with its sung words (syllables), as read from an LRC sheet. */
export interface LyricCue {
  text: string;
  start: number;
  end: number;
  words?: readonly TimedText[];
}

export function assTime(seconds: number): string {
  const cs = Math.max(0, Math.round(seconds * 100));
  const h = Math.floor(cs / 360000);
  const m = Math.floor((cs % 360000) / 6000);
  const s = Math.floor((cs % 6000) / 100);
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(cs % 100).padStart(2, '0')}`;
}

/** Text shown literally in ASS: no override blocks, no escapes. */
export function literal(text: string): string {
  return text.replace(/\\/g, '\u2216').replace(/[{}]/g, (c) => (c === '{' ? '\uff5b' : '\uff5d')).replace(/\n/g, ' ');
}

/**
 * An ASS script for a lyric video: a big centred title over the intro, then each line
 * centred with karaoke colouring that follows the sung syllables (\kf), fading in and out.
 */
export function lyricAss(lines: readonly LyricCue[], options: { width: number; height: number; title?: string; titleEnd?: number }): string {
  const { width, height } = options;
  const lyricSize = Math.round(Math.min(width, height) / 11);
  const titleSize = Math.round(Math.min(width, height) / 8);
  const header = [
    '[Script Info]',
    'ScriptType: v4.00+',
    `PlayResX: ${width}`,
    `PlayResY: ${height}`,
    'WrapStyle: 0',
    'ScaledBorderAndShadow: yes',
    '',
    '[V4+ Styles]',
    'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
    // Karaoke: sung part in warm gold (Primary), the rest in white (Secondary).
    `Style: Lyric,Noto Sans CJK SC,${lyricSize},&H0030C8FF,&H00FFFFFF,&H64000000,&H80000000,-1,0,0,0,100,100,2,0,1,${Math.max(2, Math.round(lyricSize / 14))},2,5,60,60,0,1`,
    `Style: Title,Noto Serif CJK SC,${titleSize},&H00FFFFFF,&H00FFFFFF,&H64000000,&H80000000,-1,0,0,0,100,100,4,0,1,${Math.max(2, Math.round(titleSize / 14))},3,5,60,60,0,1`,
    '',
    '[Events]',
    'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
  ];
  const events: string[] = [];
  if (options.title && (options.titleEnd ?? 0) > 0.5) {
    events.push(`Dialogue: 0,${assTime(0.2)},${assTime(options.titleEnd! - 0.1)},Title,,0,0,0,,{\\fad(400,300)}${literal(options.title)}`);
  }
  for (const line of lines) {
    let text: string;
    const words = line.words ?? [];
    if (words.length > 0) {
      // Lead-in before the first syllable, then one \kf per syllable lasting until the next.
      const lead = Math.max(0, Math.round((words[0]!.start - line.start) * 100));
      const parts = [lead > 0 ? `{\\k${lead}}` : ''];
      words.forEach((w, i) => {
        const next = words[i + 1]?.start ?? w.end;
        parts.push(`{\\kf${Math.max(1, Math.round((next - w.start) * 100))}}${literal(w.text)}`);
      });
      text = parts.join('');
    } else {
      text = literal(line.text);
    }
    events.push(`Dialogue: 0,${assTime(line.start)},${assTime(line.end)},Lyric,,0,0,0,,{\\fad(150,150)}${text}`);
  }
  return `${[...header, ...events].join('\n')}\n`;
}
