import type { TimedText } from '../../core/timing.ts';
import type { Cue } from '../../media/subtitles/index.ts';
import { assTime, literal } from './lyric-ass.ts';

/**
 * ASS for a narrated video: each scene's caption large in the upper third, and the narration
 * as subtitles at the bottom, both in a CJK-capable font.
 */
export function narrationAss(captions: readonly TimedText[], subtitles: readonly Cue[], options: { width: number; height: number }): string {
  const { width, height } = options;
  const captionSize = Math.round(Math.min(width, height) / 10);
  const subSize = Math.round(Math.min(width, height) / 20);
  const lines = [
    '[Script Info]',
    'ScriptType: v4.00+',
    `PlayResX: ${width}`,
    `PlayResY: ${height}`,
    'WrapStyle: 0',
    'ScaledBorderAndShadow: yes',
    '',
    '[V4+ Styles]',
    'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
    `Style: Caption,Noto Sans CJK SC,${captionSize},&H00FFFFFF,&H00FFFFFF,&H64000000,&H80000000,-1,0,0,0,100,100,2,0,1,${Math.max(2, Math.round(captionSize / 14))},2,8,60,60,${Math.round(height * 0.18)},1`,
    `Style: Subtitle,Noto Sans CJK SC,${subSize},&H00FFFFFF,&H00FFFFFF,&H00000000,&H99000000,0,0,0,0,100,100,0,0,3,${Math.max(1, Math.round(subSize / 10))},0,2,60,60,${Math.round(height * 0.06)},1`,
    '',
    '[Events]',
    'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
    ...captions.map((c) => `Dialogue: 0,${assTime(c.start)},${assTime(c.end)},Caption,,0,0,0,,{\\fad(300,200)}${literal(c.text)}`),
    ...subtitles.map((c) => `Dialogue: 1,${assTime(c.start)},${assTime(c.end)},Subtitle,,0,0,0,,${c.lines.map(literal).join('\\N')}`),
  ];
  return `${lines.join('\n')}\n`;
}
