import type { CuePlace, ShortScene, ShortScript, SoundCue, SoundEffect } from '../short-script.ts';

/**
 * Sound cues by rule, for scenes whose script gave none. A scene's caption, visual and
 * narration are searched for these words; each rule that matches adds its effect, in the
 * table's order, at most MAX_TAGGED_CUES per scene.
 *
 * | effect    | zh words                                              | en words                                     |
 * |-----------|-------------------------------------------------------|----------------------------------------------|
 * | rain      | 雨                                                    | rain, rainy, raining, drizzle                 |
 * | thunder   | 雷声 打雷 雷电 雷雨 雷鸣 惊雷 闪电                    | thunder, lightning, storm                     |
 * | wind      | 风吹 刮风 大风 狂风 微风 寒风 风声 海风 春风 秋风 晚风 | wind, windy, breeze, gust                     |
 * | applause  | 掌声 鼓掌 拍手 喝彩                                   | applause, applaud, clap, cheer                |
 * | firework  | 烟花 烟火 焰火 礼花 爆竹 鞭炮                         | firework, fireworks                           |
 * | heartbeat | 心跳 心脏 怦怦                                        | heart, heartbeat                              |
 * | typing    | 打字 键盘 敲代码 码字                                 | typing, keyboard, typewriter                  |
 * | footsteps | 脚步 走路 行走 散步 漫步 步行 走进 走过 走向 走在     | walk(s/ed/ing), stroll(s/ed/ing), footstep(s) |
 * | crowd     | 人群 人山人海 熙熙攘攘 观众 热闹                      | crowd, crowded, audience, busy street         |
 * | bell      | 钟声 敲钟 钟楼 铃声 铃铛                              | bell, bells                                   |
 * | chime     | 叮 叮咚 通知 提示音                                   | chime, ding, notification                     |
 * | pop       | 出现 冒出 弹出 突然                                   | pop, pops, popped, appear, appears, suddenly  |
 *
 * Bare 风 and 钟 are not rules on purpose: 风格 (style), 风景 (scenery) and 分钟 (minute) are
 * far more common in scripts than wind or bells.
 *
 * Placement: where the word falls in the narration (first third → start, middle third →
 * middle, last third → end), so the effect sounds near when it is said; a word found only in
 * the caption or visual sounds at the start.
 *
 * A scene that matches nothing gets a transition whoosh at its start, unless the scene before
 * it starts with one: at most every other scene whooshes, and a short always has effects.
 */
export const SOUND_CUE_RULES: readonly { readonly effect: SoundEffect; readonly zh: RegExp; readonly en: RegExp }[] = [
  { effect: 'rain', zh: /雨/u, en: /\b(?:rain(?:s|y|ing|drops?)?|drizzl\w*)\b/iu },
  { effect: 'thunder', zh: /雷声|打雷|雷电|雷雨|雷鸣|惊雷|闪电/u, en: /\b(?:thunder\w*|lightning|storms?|stormy)\b/iu },
  { effect: 'wind', zh: /风吹|刮风|大风|狂风|微风|寒风|风声|海风|春风|秋风|晚风/u, en: /\b(?:wind|winds|windy|breeze\w*|gusts?)\b/iu },
  { effect: 'applause', zh: /掌声|鼓掌|拍手|喝彩/u, en: /\b(?:applau\w*|clap\w*|cheer(?:s|ed|ing)?)\b/iu },
  { effect: 'firework', zh: /烟花|烟火|焰火|礼花|爆竹|鞭炮/u, en: /\bfireworks?\b/iu },
  { effect: 'heartbeat', zh: /心跳|心脏|怦怦/u, en: /\bheart(?:s|beats?)?\b/iu },
  { effect: 'typing', zh: /打字|键盘|敲代码|码字/u, en: /\b(?:typing|keyboards?|typewriters?)\b/iu },
  { effect: 'footsteps', zh: /脚步|走路|行走|散步|漫步|步行|走进|走过|走向|走在/u, en: /\b(?:walk(?:s|ed|ing)?|stroll(?:s|ed|ing)?|footsteps?)\b/iu },
  { effect: 'crowd', zh: /人群|人山人海|熙熙攘攘|观众|热闹/u, en: /\b(?:crowds?|crowded|audiences?|busy streets?)\b/iu },
  { effect: 'bell', zh: /钟声|敲钟|钟楼|铃声|铃铛/u, en: /\bbells?\b/iu },
  { effect: 'chime', zh: /叮|通知|提示音/u, en: /\b(?:chimes?|dings?|notifications?)\b/iu },
  { effect: 'pop', zh: /出现|冒出|弹出|突然/u, en: /\b(?:pop(?:s|ped|ping)?|appear(?:s|ed|ing)?|suddenly)\b/iu },
];

/** Effects one scene gets from the rules, at most. */
export const MAX_TAGGED_CUES = 2;

/** Where in the narration a match falls, as a cue place. */
function placeOf(index: number, length: number): CuePlace {
  const at = index / Math.max(1, length);
  return at < 1 / 3 ? 'start' : at < 2 / 3 ? 'middle' : 'end';
}

/** The cues the rules find in one scene (none when nothing matches). */
export function cuesForScene(scene: Pick<ShortScene, 'narration' | 'caption' | 'visual'>): SoundCue[] {
  const cues: SoundCue[] = [];
  for (const rule of SOUND_CUE_RULES) {
    if (cues.length >= MAX_TAGGED_CUES) break;
    const spoken = rule.zh.exec(scene.narration) ?? rule.en.exec(scene.narration);
    if (spoken) {
      cues.push({ effect: rule.effect, at: placeOf(spoken.index, scene.narration.length) });
      continue;
    }
    const shown = `${scene.caption}\n${scene.visual}`;
    if (rule.zh.test(shown) || rule.en.test(shown)) cues.push({ effect: rule.effect, at: 'start' });
  }
  return cues;
}

/**
 * Fills in sound cues by rule for the scenes that have none (a model's or a user's own cues
 * are kept as they are). Deterministic: the same script always gets the same cues.
 */
export function tagSoundCues(script: ShortScript): ShortScript {
  let previousWhooshed = false;
  const scenes = script.scenes.map((scene): ShortScene => {
    if (scene.sounds.length > 0) {
      // A given transition whoosh counts too: no two in a row, and tagging twice changes nothing.
      previousWhooshed = scene.sounds.some((cue) => cue.effect === 'whoosh' && cue.at === 'start');
      return scene;
    }
    const found = cuesForScene(scene);
    if (found.length > 0) {
      previousWhooshed = false;
      return { ...scene, sounds: found };
    }
    const whoosh = !previousWhooshed;
    previousWhooshed = whoosh;
    return whoosh ? { ...scene, sounds: [{ effect: 'whoosh', at: 'start' }] } : scene;
  });
  return { ...script, scenes };
}
