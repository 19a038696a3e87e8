import { BUILT_IN_OBJECTS, parsePromptWords } from '../../engines/scene3d/library/index.ts';

/** Where the item was named: the player's request, or (when that names none) the NPC's reply. */
export type PromisedItemSource = 'player' | 'reply';

export interface PromisedItem {
  /** The sentence that names the item: the prompt the 3D step builds from (its colour, size and count words included). */
  readonly prompt: string;
  /** The built-in object it names; null when it names none (then only a text model can build it). */
  readonly object: string | null;
  readonly source: PromisedItemSource;
}

/** Words of asking for something made or given, English and Chinese. */
const REQUEST_CUE = /\b(?:forge|make|craft|build|create|carve|cast|need|want|give|bring|get|fetch|order)\b|打造|锻造|铸|做|造|制|给|要|需要|来一|帮|求/iu;

/** Sentences, Chinese or English; the terminator stays with its sentence. */
function sentences(text: string): string[] {
  return (text.match(/[^.!?。！？\n]+[.!?。！？]*/gu) ?? []).map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * The item an NPC is asked to make, from the turn's words (the built-in library's object
 * words, as offline text-to-3D reads them). The player's request comes first: it is what the
 * NPC answers, and a small model's reply may wander onto other objects ("…by the old tree").
 * The reply counts only when the player asked for something (REQUEST_CUE). When neither names
 * a built-in object, the player's request is the prompt, for a text model.
 */
export function promisedItem(playerLine: string, reply: string): PromisedItem {
  // The reply names a promise only when the player asked for something: a greeting answered
  // with "…by the old tree" promises no tree.
  const sources = REQUEST_CUE.test(playerLine) ? ([['player', playerLine], ['reply', reply]] as const) : ([['player', playerLine]] as const);
  for (const [source, text] of sources) {
    for (const sentence of sentences(text)) {
      const object = parsePromptWords(sentence, BUILT_IN_OBJECTS).objectId;
      if (object !== undefined) return { prompt: sentence, object, source };
    }
  }
  return { prompt: playerLine.trim(), object: null, source: 'player' };
}
