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

/** Sentences, Chinese or English; the terminator stays with its sentence. */
function sentences(text: string): string[] {
  return (text.match(/[^.!?。！？\n]+[.!?。！？]*/gu) ?? []).map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * The item an NPC is asked to make, from the turn's words (the built-in library's object
 * words, as offline text-to-3D reads them). The player's request comes first: it is what the
 * NPC answers, and a small model's reply may wander onto other objects ("…by the old tree").
 * When neither names a built-in object, the player's request is the prompt, for a text model.
 */
export function promisedItem(playerLine: string, reply: string): PromisedItem {
  for (const [source, text] of [['player', playerLine], ['reply', reply]] as const) {
    for (const sentence of sentences(text)) {
      const object = parsePromptWords(sentence, BUILT_IN_OBJECTS).objectId;
      if (object !== undefined) return { prompt: sentence, object, source };
    }
  }
  return { prompt: playerLine.trim(), object: null, source: 'player' };
}
