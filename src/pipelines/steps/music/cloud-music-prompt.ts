/** The style and wish of a song, in words a cloud music model understands. */
export interface CloudMusicBrief {
  prompt?: string | undefined;
  recipient?: string | undefined;
  title?: string | undefined;
  mood: string;
  genre: string;
  instrument?: string | undefined;
  tempo?: number | undefined;
  key?: string | undefined;
  /** Whether lyrics are sent separately (the model then sings them rather than inventing its own). */
  hasLyrics: boolean;
  instrumental: boolean;
}

/** e.g. "A warm pop song with piano, 96 BPM, in F. For 奶奶: 健康长寿. Title: 春风". */
export function cloudMusicPrompt(brief: CloudMusicBrief): string {
  const style = [`A ${brief.mood} ${brief.genre} ${brief.instrumental ? 'instrumental piece' : 'song'}`];
  if (brief.instrument) style.push(`with ${brief.instrument}`);
  const parts = [style.join(' ')];
  if (brief.tempo !== undefined) parts.push(`${Math.round(brief.tempo)} BPM`);
  if (brief.key) parts.push(`in ${brief.key}`);
  let text = `${parts.join(', ')}.`;
  const wish = brief.prompt?.trim().replace(/[.。!！]+$/, '');
  if (brief.recipient && wish) text += ` For ${brief.recipient}: ${wish}.`;
  else if (brief.recipient) text += ` For ${brief.recipient}.`;
  else if (wish) text += ` ${wish.charAt(0).toUpperCase()}${wish.slice(1)}.`;
  if (brief.title) text += ` Title: ${brief.title}.`;
  if (!brief.hasLyrics && !brief.instrumental && (brief.recipient || wish)) text += ' Sing a short blessing in the language of the wish.';
  return text;
}
