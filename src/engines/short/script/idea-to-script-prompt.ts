import type { ModelMessage } from 'ai';
import { SHORT_MOODS, SOUND_EFFECTS, type ShortScriptInput } from '../short-script.ts';
import type { ScriptLanguage } from './language.ts';
import { narrationBudget } from './scene-count.ts';

/** What one request asks for. */
export interface ScriptRequest {
  idea: string;
  seconds: number;
  scenes: number;
  language: ScriptLanguage;
  cuesPerScene: number;
}

export function scriptSystemPrompt(language: ScriptLanguage): string {
  const written = language === 'zh' ? 'Write the title, narration, captions and visuals in Simplified Chinese.' : 'Write the title, narration, captions and visuals in English.';
  return `You write scripts for vertical short videos (抖音, Reels, Shorts): one JSON object {"title", "mood", "scenes": [...]} and nothing else.
The title is short and catchy. Each scene has:
- "narration": what the voice says, one or two spoken sentences, no stage directions;
- "caption": a few words shown large on screen (the scene's point);
- "visual": one sentence describing the picture (subject, setting, light), for an image generator;
- "mood": one of ${SHORT_MOODS.join(', ')};
- "sounds": sound effects the scene calls for, from ${SOUND_EFFECTS.join(', ')}, each {"effect", "at": "start" | "middle" | "end"}; [] when none fits.
"mood" of the whole script picks the background music. Open with a hook, end with a line that lands. ${written}`;
}

export function scriptRequestMessage(request: ScriptRequest): string {
  const budget = narrationBudget(request.seconds, request.scenes, request.language);
  const size = request.language === 'zh' ? `about ${budget.perScene} Chinese characters` : `about ${budget.perScene} words`;
  const caption = request.language === 'zh' ? 'at most 12 characters' : 'at most 6 words';
  return `Idea: ${request.idea}
Write a ${request.seconds}-second short: exactly ${request.scenes} scenes, each narration ${size} (it is read aloud at a steady pace), each caption ${caption}, at most ${request.cuesPerScene} sounds per scene.`;
}

/** A worked example (request → script) as earlier turns, which a small context may leave out first. */
const EXAMPLES: Record<ScriptLanguage, { idea: string; script: ShortScriptInput }> = {
  zh: {
    idea: '雨天的咖啡馆',
    script: {
      title: '雨天，来杯咖啡',
      mood: 'gentle',
      scenes: [
        { narration: '窗外下起了雨，街上的人都加快了脚步。', caption: '下雨了', visual: 'Rain streaks on a cafe window, blurred pedestrians with umbrellas outside', mood: 'gentle', sounds: [{ effect: 'rain', at: 'start' }] },
        { narration: '推开门，铃铛轻轻一响，咖啡的香气扑面而来。', caption: '推门而入', visual: 'A wooden cafe door opening, a small brass bell above it, warm light inside', mood: 'warm', sounds: [{ effect: 'bell', at: 'start' }] },
        { narration: '找个靠窗的位置，让这场雨慢慢下。', caption: '慢下来', visual: 'A cup of latte on a window table, rain outside, soft afternoon light', mood: 'lyrical', sounds: [] },
      ],
    },
  },
  en: {
    idea: 'a rainy day at a cafe',
    script: {
      title: 'Rainy Day Coffee',
      mood: 'gentle',
      scenes: [
        { narration: 'The rain starts, and everyone on the street walks a little faster.', caption: 'It’s raining', visual: 'Rain streaks on a cafe window, blurred pedestrians with umbrellas outside', mood: 'gentle', sounds: [{ effect: 'rain', at: 'start' }] },
        { narration: 'A little bell rings as the door opens, and the smell of coffee wraps around you.', caption: 'Step inside', visual: 'A wooden cafe door opening, a small brass bell above it, warm light inside', mood: 'warm', sounds: [{ effect: 'bell', at: 'start' }] },
        { narration: 'Take the seat by the window, and let the rain take its time.', caption: 'Slow down', visual: 'A cup of latte on a window table, rain outside, soft afternoon light', mood: 'lyrical', sounds: [] },
      ],
    },
  },
};

export function scriptExampleTurns(language: ScriptLanguage, cuesPerScene: number): ModelMessage[] {
  const example = EXAMPLES[language];
  return [
    { role: 'user', content: scriptRequestMessage({ idea: example.idea, seconds: 15, scenes: example.script.scenes.length, language, cuesPerScene }) },
    { role: 'assistant', content: JSON.stringify(example.script) },
  ];
}

/** The turn that sends a failed script's errors back to the model. */
export function scriptRepairMessage(errors: string): string {
  return `That script is not valid:\n${errors}\nWrite the whole corrected script as one JSON object.`;
}
