import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import { ACTIONS, actionPlanSchema, type ActionParams } from '../../src/engines/motion/action-plan.ts';
import { ACTION_WORDS, parseMotionPrompt } from '../../src/engines/motion/plan/index.ts';
import { synthesizeMotion } from '../../src/engines/motion/synth/index.ts';

/** What a prompt must become: each action with its layer and the parameters it must carry (others may be absent). */
type Expected = Array<[action: string, layer: 'full' | 'upper', params?: ActionParams, duration?: number]>;

const TABLE: Array<[prompt: string, expected: Expected]> = [
  // The examples.
  ['向前走三步然后挥手', [['walk', 'full', { distance: 2.1, direction: 'forward' }], ['wave', 'full']]],
  ['walk forward 3 m, turn left, wave', [['walk', 'full', { distance: 3, direction: 'forward' }], ['turn', 'full', { angle: 90 }], ['wave', 'full']]],
  ['walk forward 3 meters, turn left 90 degrees, then wave the right hand', [['walk', 'full', { distance: 3, direction: 'forward' }], ['turn', 'full', { angle: 90 }], ['wave', 'full', { hand: 'right' }]]],
  // Sequences and numbers.
  ['先向前走3米，再向右转', [['walk', 'full', { distance: 3, direction: 'forward' }], ['turn', 'full', { angle: -90 }]]],
  ['walk 5 steps and then jump', [['walk', 'full', { distance: 3.5 }], ['jump', 'full']]],
  ['慢跑五米之后跳两次', [['jog', 'full', { distance: 5 }], ['jump', 'full', { count: 2 }]]],
  ['run 20 m then stop and bow', [['run', 'full', { distance: 20 }], ['idle', 'full'], ['bow', 'full']]],
  ['turn right 45 degrees', [['turn', 'full', { angle: -45 }]]],
  ['左转90度', [['turn', 'full', { angle: 90 }]]],
  ['向后转', [['turn', 'full', { angle: 180 }]]],
  ['turn around and walk back 2 m', [['turn', 'full', { angle: 180 }], ['walk', 'full', { distance: 2, direction: 'backward' }]]],
  ['后退两米', [['walk', 'full', { distance: 2, direction: 'backward' }]]],
  ['跑 3.5 米', [['run', 'full', { distance: 3.5 }]]],
  ['walk slowly for 4 seconds', [['walk', 'full', { speed: 0.78 }, 4]]],
  ['快走十米', [['walk', 'full', { distance: 10, speed: 1.82 }]]],
  // Every kind of action, both languages.
  ['坐下，然后站起来', [['sit_down', 'full'], ['stand_up', 'full']]],
  ['sit down on a 45 cm chair', [['sit_down', 'full', { height: 0.45 }]]],
  ['kneel down, then stand up', [['kneel', 'full'], ['stand_up', 'full']]],
  ['鞠躬', [['bow', 'full']]],
  ['双手鼓掌三次', [['clap', 'full', { count: 3, hand: 'both' }]]],
  ['clap twice', [['clap', 'full', { count: 2 }]]],
  ['用左手指向前方', [['point', 'full', { hand: 'left', direction: 'forward' }]]],
  ['点点头再摇摇头', [['nod', 'full'], ['shake_head', 'full']]],
  ['shake his head three times', [['shake_head', 'full', { count: 3 }]]],
  ['出拳然后踢腿', [['punch', 'full'], ['kick', 'full']]],
  ['punch with the right hand, then kick', [['punch', 'full', { hand: 'right' }], ['kick', 'full']]],
  ['捡起球然后扔出去', [['pick_up', 'full'], ['throw', 'full']]],
  ['pick the ball up and throw it', [['pick_up', 'full'], ['throw', 'full']]],
  ['环顾四周', [['look_around', 'full']]],
  ['look around slowly', [['look_around', 'full', { intensity: 0.4 }]]],
  ['伸懒腰', [['stretch', 'full']]],
  ['stretch, then dance', [['stretch', 'full'], ['dance_step', 'full']]],
  ['跳舞', [['dance_step', 'full']]],
  ['打太极拳', [['tai_chi', 'full']]],
  ['do tai chi', [['tai_chi', 'full']]],
  ['站着不动两秒', [['idle', 'full', {}, 2]]],
  ['jump 0.5 m high', [['jump', 'full', { height: 0.5 }]]],
  // Layering: upper-body actions said with a full-body one play over it.
  ['边走边挥手', [['walk', 'full'], ['wave', 'upper']]],
  ['边走边用右手挥手', [['walk', 'full'], ['wave', 'upper', { hand: 'right' }]]],
  ['walk forward while waving the left hand', [['walk', 'full', { direction: 'forward' }], ['wave', 'upper', { hand: 'left' }]]],
  ['一边慢跑一边点头，然后坐下', [['jog', 'full'], ['nod', 'upper'], ['sit_down', 'full']]],
  // Full-width digits and punctuation.
  ['向前走３米，挥手', [['walk', 'full', { distance: 3, direction: 'forward' }], ['wave', 'full']]],
];

test(`the rule-based parser: ${TABLE.length} Chinese and English prompts`, () => {
  const failures: string[] = [];
  for (const [prompt, expected] of TABLE) {
    try {
      checkRow(prompt, expected);
    } catch (error) {
      failures.push((error as Error).message.split('\n')[0]!);
    }
  }
  assert.deepEqual(failures, []);
});

function checkRow(prompt: string, expected: Expected): void {
  {
    const { plan, warnings } = parseMotionPrompt(prompt);
    assert.deepEqual(warnings, [], `${prompt}: ${warnings.join('; ')}`);
    assert.ok(actionPlanSchema.safeParse(plan).success, prompt);
    const got = plan.actions.map((a) => [a.action, a.layer]);
    assert.deepEqual(got, expected.map(([action, layer]) => [action, layer]), `${prompt}: ${JSON.stringify(plan.actions)}`);
    expected.forEach(([, , params = {}, duration], i) => {
      const actual = plan.actions[i]!;
      for (const [key, value] of Object.entries(params)) assert.deepEqual(actual.params?.[key as keyof ActionParams], value, `${prompt}: action ${i} ${key} in ${JSON.stringify(actual.params)}`);
      if (duration !== undefined) assert.equal(actual.duration, duration, prompt);
      assert.ok((actual.text ?? '').length > 0, 'each action keeps the words it came from');
    });
  }
}

test('every plan of the table is one the synthesiser performs (its checks refuse none)', () => {
  for (const [prompt] of TABLE) {
    const { clip } = synthesizeMotion(parseMotionPrompt(prompt).plan, { seed: 1 });
    assert.ok(clip.frameCount > 1, prompt);
  }
});

test('every action of the vocabulary has Chinese and English words, and each first word parses to that action', () => {
  for (const action of ACTIONS) {
    const words = ACTION_WORDS[action];
    assert.ok(words.zh.length > 0 && words.en.length > 0, action);
    assert.equal(parseMotionPrompt(words.zh[0]!).plan.actions[0]!.action, action, `${action}: ${words.zh[0]}`);
  }
});

test('words outside the vocabulary: mapped to the nearest action, with a warning', () => {
  const squat = parseMotionPrompt('蹲下然后站起来');
  assert.deepEqual(squat.plan.actions.map((a) => a.action), ['kneel', 'stand_up']);
  assert.equal(squat.warnings.length, 1);
  assert.match(squat.warnings[0]!, /蹲下.*kneel/);

  const typo = parseMotionPrompt('wlak forward 2 m');
  assert.equal(typo.plan.actions[0]!.action, 'walk');
  assert.equal(typo.plan.actions[0]!.params?.distance, 2);
  assert.match(typo.warnings[0]!, /"wlak".*walk/);

  const salute = parseMotionPrompt('salute, then walk');
  assert.deepEqual(salute.plan.actions.map((a) => a.action), ['wave', 'walk']);
  assert.match(salute.warnings[0]!, /salute.*wave/);

  // A clause with nothing understood is left out, with a warning naming it.
  const partly = parseMotionPrompt('walk 2 m, do a barrel roll');
  assert.deepEqual(partly.plan.actions.map((a) => a.action), ['walk']);
  assert.match(partly.warnings[0]!, /Ignored "do a barrel roll"/);
});

function assertInvalid(prompt: string, pattern: RegExp): ShenbiError {
  let caught: unknown;
  try {
    parseMotionPrompt(prompt);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ShenbiError, `${prompt}: ${String(caught)}`);
  assert.equal(caught.code, 'INVALID_INPUT', prompt);
  assert.match(caught.message, pattern, prompt);
  return caught;
}

test('nothing understood: INVALID_INPUT listing the vocabulary in both languages', () => {
  for (const prompt of ['hello world', '今天天气很好', '   ', '42']) {
    const error = assertInvalid(prompt, /vocabulary/);
    for (const action of ACTIONS) assert.ok(error.message.includes(action), `${action} listed`);
    assert.match(error.message, /挥手/);
    assert.match(error.message, /鞠躬/);
    assert.deepEqual((error.details as { vocabulary: string[] }).vocabulary, [...ACTIONS]);
  }
});

test('absurd numbers are refused by the parser with INVALID_INPUT: 10 km, 10 minutes, 0 seconds, 100 claps, 20 m/s', () => {
  assertInvalid('walk 10 km', /10 km.*1000 m/);
  assertInvalid('走十公里', /十公里/);
  assertInvalid('dance for 10 minutes', /10 minutes/);
  assertInvalid('跳舞十分钟', /十分钟/);
  assertInvalid('wave for 0 seconds', /more than 0 seconds/);
  assertInvalid('clap 100 times', /100 times/);
  assertInvalid('run at 20 m/s', /20 m\/s/);
  assertInvalid('turn 1000 degrees', /1000 degrees/);
});

test('impossible but in-range parameters pass through for the synthesiser to check: walk 100 m in 1 s', () => {
  const { plan } = parseMotionPrompt('walk 100 m in 1 second');
  assert.deepEqual(plan.actions[0], { action: 'walk', layer: 'full', params: { distance: 100 }, duration: 1, text: 'walk 100 m in 1 second' });
});

test('long prompts end quickly with a clear error: 100,000 characters of actions, of one unknown word, of 250 clauses', () => {
  const started = Date.now();
  assertInvalid('走'.repeat(100_000), /more than 200 actions/);
  assertInvalid('walk '.repeat(20_000), /more than 200 actions/);
  assertInvalid(Array.from({ length: 250 }, () => 'wave').join(', '), /more than 200 actions/);
  assertInvalid('x'.repeat(100_000), /vocabulary/);
  // Linear work: well under a second each on an idle machine; the bound allows a loaded one.
  assert.ok(Date.now() - started < 15_000, `${Date.now() - started} ms`);
});
