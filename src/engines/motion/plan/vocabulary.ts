import { ACTIONS, type ActionName } from '../action-plan.ts';

/**
 * The words for each action of the plan's vocabulary, in Chinese and English. Chinese words
 * are matched as substrings (no spaces between words), English ones as regular expressions
 * between word boundaries. Where two words overlap ("跳舞" and "跳", "慢跑" and "跑") the
 * longer match wins, so the more specific action is taken.
 */
export interface ActionWords {
  zh: readonly string[];
  /** Regular-expression sources (no flags; matched case-insensitively, between word boundaries). */
  en: readonly string[];
}

const POSSESSIVE = '(?:(?:his|her|their|the|its|my|your|one\'s|a)\\s+)?';

export const ACTION_WORDS: Readonly<Record<ActionName, ActionWords>> = {
  idle: { zh: ['站着不动', '原地不动', '站立', '站着', '等待', '等一下', '停顿', '休息', '待着', '停下', '停住'], en: ['idle', 'stop(?:s|ped)?', 'stands? still', 'standing still', 'wait(?:s|ing)?', 'pause(?:s|d)?', 'rest(?:s|ing)?'] },
  walk: { zh: ['走路', '行走', '步行', '散步', '踱步', '迈步', '前进', '后退', '倒退', '走'], en: ['walk(?:s|ed|ing)?', 'strolls?', 'strolling', '(?:go|goes|move|moves|step|steps) (?:forward|forwards|ahead|back|backwards?)'] },
  run: { zh: ['跑步', '奔跑', '快跑', '冲刺', '跑'], en: ['run(?:s|ning)?', 'ran', 'sprint(?:s|ing)?'] },
  jog: { zh: ['慢跑', '小跑'], en: ['jog(?:s|ged|ging)?', 'trot(?:s|ting)?'] },
  turn: { zh: ['转身', '转弯', '掉头', '向左转', '向右转', '向后转', '左转', '右转', '旋转', '转'], en: ['turn(?:s|ed|ing)?', 'rotat(?:e|es|ing)', 'spin(?:s|ning)?'] },
  jump: { zh: ['跳跃', '跳起来', '跳起', '蹦', '跳'], en: ['jump(?:s|ed|ing)?', 'hop(?:s|ping)?', 'leap(?:s|ing)?'] },
  sit_down: { zh: ['坐下', '坐下来', '坐'], en: ['sit(?:s|ting)?(?: down)?', 'sat(?: down)?', 'take a seat'] },
  stand_up: { zh: ['站起来', '站起身', '站起', '起身', '起立'], en: ['stand(?:s|ing)? up', 'stood up', 'gets? up', 'rise(?:s)?'] },
  kneel: { zh: ['单膝跪地', '跪下', '跪'], en: ['kneel(?:s|ing)?(?: down)?', 'knelt(?: down)?'] },
  bow: { zh: ['鞠躬', '鞠一躬', '行礼'], en: ['bow(?:s|ed|ing)?'] },
  wave: { zh: ['挥挥手', '挥手', '招手', '摆手', '挥'], en: ['wav(?:e|es|ed|ing)', 'waves? hello'] },
  clap: { zh: ['拍拍手', '拍手', '鼓掌'], en: ['clap(?:s|ped|ping)?', 'applaud(?:s|ing)?'] },
  point: { zh: ['指向', '指着', '指'], en: ['point(?:s|ed|ing)?'] },
  nod: { zh: ['点点头', '点头'], en: ['nod(?:s|ded|ding)?'] },
  shake_head: { zh: ['摇摇头', '摇头'], en: [`shak(?:e|es|ing) ${POSSESSIVE}head`, 'head ?shak(?:e|es|ing)'] },
  punch: { zh: ['出拳', '挥拳', '打拳', '拳击'], en: ['punch(?:es|ed|ing)?', 'jab(?:s|bing)?'] },
  kick: { zh: ['踢腿', '踢'], en: ['kick(?:s|ed|ing)?'] },
  pick_up: { zh: ['捡起来', '捡起', '拾起', '拿起', '捡'], en: ['pick(?:s|ed|ing)? (?:[a-z]+ ){0,3}up'] },
  throw: { zh: ['投掷', '扔', '抛', '丢', '投'], en: ['throw(?:s|ing)?', 'threw', 'toss(?:es|ing)?'] },
  look_around: { zh: ['环顾四周', '环顾', '四处看', '东张西望', '左顾右盼', '张望'], en: ['look(?:s|ed|ing)? around', 'glanc(?:e|es|ing) around'] },
  stretch: { zh: ['伸懒腰', '伸展', '舒展', '拉伸'], en: ['stretch(?:es|ed|ing)?'] },
  dance_step: { zh: ['跳舞', '跳支舞', '跳一段舞', '舞步', '舞蹈', '跳个舞'], en: ['danc(?:e|es|ed|ing)(?: steps?)?'] },
  tai_chi: { zh: ['打太极拳', '打太极', '太极拳', '太极'], en: ['tai[ -]?chi(?: chuan)?'] },
};

/**
 * Words for something outside the vocabulary, each with the nearest action: used with a
 * warning that says what was taken instead.
 */
export const NEAREST_ACTION: ReadonlyArray<{ zh?: string; en?: string; action: ActionName }> = [
  { zh: '蹲下', action: 'kneel' },
  { zh: '蹲', action: 'kneel' },
  { en: 'crouch(?:es|ing)?', action: 'kneel' },
  { en: 'squat(?:s|ting)?', action: 'kneel' },
  { zh: '敬礼', action: 'wave' },
  { en: 'salut(?:e|es|ing)', action: 'wave' },
  { zh: '爬', action: 'walk' },
  { en: 'crawl(?:s|ing)?', action: 'walk' },
  { en: 'march(?:es|ing)?', action: 'walk' },
  { en: 'skip(?:s|ping)?', action: 'jog' },
  { zh: '打招呼', action: 'wave' },
  { en: 'greet(?:s|ing)?', action: 'wave' },
  { zh: '躺下', action: 'sit_down' },
  { en: 'lie down', action: 'sit_down' },
  { zh: '跺脚', action: 'kick' },
  { en: 'stomp(?:s|ing)?', action: 'kick' },
  { zh: '看', action: 'look_around' },
  { en: 'look(?:s|ing)?', action: 'look_around' },
  { zh: '拥抱', action: 'stretch' },
  { en: 'hug(?:s|ging)?', action: 'stretch' },
  { zh: '练功', action: 'tai_chi' },
  { en: 'kung ?fu', action: 'tai_chi' },
];

/** The vocabulary as users read it in errors: each action with a Chinese and an English word. */
export function vocabularyList(): string {
  return ACTIONS.map((action) => `${action} (${ACTION_WORDS[action].zh[0] ?? ''} / ${action.replace(/_/g, ' ')})`).join(', ');
}
