import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ERROR_CODES } from '../../src/core/errors.ts';
import { ACTIONS } from '../../src/engines/motion/action-plan.ts';
import { listPipelines } from '../../src/pipelines/index.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { musicTask } from '../../src/tasks/music.ts';
import { errorTitle, optionLabel, pipelineTitle, progressLabel } from '../../src/web/app/i18n-values.ts';

/**
 * The studio translates what the server says by its stable identifiers: every error code,
 * every step type (progress), every built-in pipeline and every option it offers. A new code,
 * step or option without a Chinese label fails here, before it shows up in English in the zh UI.
 */

/** Chinese, with no English word left (acronyms such as API and NPC are fine). */
const isChinese = (text: string | null): boolean => text !== null && /[\u4e00-\u9fff]/.test(text) && !/[A-Za-z]{3,}/.test(text.replace(/\b(API|NPC|C2PA|MIDI|OCR|JSON)\b/g, ''));

test('every error code has a Chinese title', () => {
  const missing = Object.keys(ERROR_CODES).filter((code) => !isChinese(errorTitle('zh', code)));
  assert.deepEqual(missing, [], 'add them to ERRORS in src/web/app/i18n-values.ts');
  assert.equal(errorTitle('en', 'MODEL_NOT_INSTALLED'), 'The model this needs is not installed yet');
});

test('every registered step type has a Chinese progress label; English keeps the server message', async () => {
  const home = mkdtempSync(join(tmpdir(), 'shenbi-i18n-steps-'));
  const shenbi = await Shenbi.open({ overrides: { home } });
  try {
    const types = shenbi.steps.list().map((step) => step.type);
    assert.ok(types.length > 20, types.join(' '));
    // Helper steps that report no progress are fine without a label; ones that do must have it.
    const missing = types.filter((type) => /^(text|code|science|prompt|speech|image|music|video|vision|npc|model3d)\./.test(type) && !isChinese(progressLabel('zh', type, 'encoding video')));
    assert.deepEqual(missing, [], 'add them to STEPS in src/web/app/i18n-values.ts');
  } finally {
    await shenbi.close();
    rmSync(home, { recursive: true, force: true });
  }
  assert.equal(progressLabel('en', 'video.cover', 'scored frame 3/24'), 'scored frame 3/24');
  assert.equal(progressLabel('zh', 'video.cover', 'scored frame 3/24'), '正在挑选封面');
  // An unknown step: a Chinese message passes through, an English one is not shown.
  assert.equal(progressLabel('zh', 'custom.step', '第 2 段'), '第 2 段');
  assert.equal(progressLabel('zh', 'custom.step', 'encoding'), null);
});

test('every built-in pipeline and every music option the studio offers has a Chinese label', () => {
  for (const pipeline of listPipelines()) assert.ok(isChinese(pipelineTitle('zh', pipeline.id, pipeline.title ?? null)), pipeline.id);
  // The music task's own enums: a new mood, genre or vocal style needs its label.
  const { mood, genre, vocals } = musicTask.input.shape;
  for (const value of mood.unwrap().options) assert.ok(isChinese(optionLabel('zh', 'mood', value)), value);
  for (const value of genre.unwrap().options) assert.ok(isChinese(optionLabel('zh', 'genre', value)), value);
  for (const value of vocals.unwrap().options) assert.ok(isChinese(optionLabel('zh', 'vocals', value)), value);
  for (const edit of ['cover', 'portrait', 'stabilize', 'enhance', 'subtitles', 'dub', 'folder']) assert.ok(isChinese(optionLabel('zh', 'videoEdit', edit)), edit);
  for (const mode of ['ocr', 'caption', 'question']) assert.ok(isChinese(optionLabel('zh', 'visionMode', mode)), mode);
});

test('every motion action, format and player view has a Chinese label (the timeline names actions by them)', () => {
  for (const action of ACTIONS) assert.ok(isChinese(optionLabel('zh', 'motionAction', action)), action);
  for (const format of ['glb', 'bvh']) assert.ok(/[\u4e00-\u9fff]/.test(optionLabel('zh', 'motionFormat', format)), format);
  for (const view of ['mannequin', 'skeleton']) assert.ok(isChinese(optionLabel('zh', 'motionView', view)), view);
  for (const source of ['rules', 'text-model', 'plan', 'humanml3d']) assert.ok(/[\u4e00-\u9fff]/.test(optionLabel('zh', 'motionSource', source)), source);
});
