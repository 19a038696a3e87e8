import { assTime, literal } from '../../../engines/video/lyric-ass.ts';
import type { Span } from './short-timeline.ts';

/**
 * The title card drawn into a short's ASS script: the title large and centred over the first
 * picture (darkened by a translucent box so it reads on any picture), popping in slightly
 * (a scale from 80 %) and fading out into the first scene. Returns the script with a `Title`
 * style and one event added; the rest of the script is kept as it is.
 */
export function withTitleCard(ass: string, title: string, span: Span, frame: { width: number; height: number }): string {
  const size = Math.round(Math.min(frame.width, frame.height) / (title.length > 14 ? 11 : 8));
  const style = `Style: Title,Noto Sans CJK SC,${size},&H00FFFFFF,&H00FFFFFF,&H00202020,&H96000000,-1,0,0,0,100,100,3,0,3,${Math.max(4, Math.round(size / 5))},0,5,${Math.round(frame.width * 0.08)},${Math.round(frame.width * 0.08)},0,1`;
  const fadeOutMs = Math.round(Math.min(400, ((span.end - span.start) * 1000) / 4));
  const event = `Dialogue: 2,${assTime(span.start)},${assTime(span.end)},Title,,0,0,0,,{\\fad(150,${fadeOutMs})\\fscx80\\fscy80\\t(0,250,\\fscx100\\fscy100)}${literal(title)}`;
  return ass
    .replace(/^(Style: Subtitle,.*)$/m, `$1\n${style}`)
    .replace(/\n*$/, `\n${event}\n`);
}
