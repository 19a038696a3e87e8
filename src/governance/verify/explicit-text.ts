/** How far from either end a visible notice still counts as "at the start or end" (GB 45438 §5.1). */
const WINDOW_CHARS = 600;
const AI_ELEMENT = /人工智能|AI/;
const GENERATION_ELEMENT = /生成|合成/;

/** A line near the start or end holding both the AI element and the generation element. */
export function hasExplicitTextLabel(bytes: Uint8Array): boolean {
  const text = Buffer.from(bytes).toString('utf8');
  const ends = [text.slice(0, WINDOW_CHARS), text.slice(-WINDOW_CHARS)];
  return ends.some((part) => part.split(/\r?\n/).some((line) => AI_ELEMENT.test(line) && GENERATION_ELEMENT.test(line)));
}
