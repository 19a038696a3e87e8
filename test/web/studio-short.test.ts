import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CUE_PLACES, SHORT_LIMITS, SHORT_MOODS, shortScriptSchema, SOUND_EFFECTS } from '../../src/engines/short/short-script.ts';
import { CUE_PLACES as WEB_CUE_PLACES, draftFromOutput, MAX_CAPTION_CHARS, MAX_CUES_PER_SCENE, scriptJson, SHORT_EFFECTS, SHORT_MOODS as WEB_MOODS, SHORT_SECONDS } from '../../src/web/app/components/short/short-draft.ts';
import { optionLabel } from '../../src/web/app/i18n-values.ts';
import { TEST_ARTIFACTS, useStudioSession } from '../helpers/studio-session.ts';

/**
 * The video page's first mode, idea → short, on a fresh install (no model at all): the idea
 * path says how to get the text model (with a Pull button) and fails with MODEL_NOT_INSTALLED;
 * your own plain-text script is split into scenes by the server, edited in the page (a caption
 * changed, a sound cue removed) and rendered by the `short` pipeline into a video that loads,
 * with its cover and its files to download.
 */


/** What the test reads of a media element or an image (the test's tsconfig has no DOM library). */
interface MediaLike {
  readyState: number;
  duration: number;
  error: { code: number } | null;
  addEventListener(type: string, listener: () => void, options?: { once: boolean }): void;
}
interface ImageLike {
  naturalWidth: number;
  naturalHeight: number;
  decode(): Promise<void>;
}

const studio = useStudioSession({ name: 'short' });

test("the studio's lists mirror the script schema, every value has a Chinese label, and an edited draft is a valid script", () => {
  assert.deepEqual([...SHORT_EFFECTS], [...SOUND_EFFECTS]);
  assert.deepEqual([...WEB_MOODS], [...SHORT_MOODS]);
  assert.deepEqual([...WEB_CUE_PLACES], [...CUE_PLACES]);
  assert.deepEqual([MAX_CUES_PER_SCENE, MAX_CAPTION_CHARS, SHORT_SECONDS.min, SHORT_SECONDS.max], [SHORT_LIMITS.maxCuesPerScene, SHORT_LIMITS.maxCaptionChars, SHORT_LIMITS.minSeconds, SHORT_LIMITS.maxSeconds]);
  const chinese = (text: string) => /[\u4e00-\u9fff]/.test(text) && !/[A-Za-z]{3,}/.test(text);
  for (const effect of SOUND_EFFECTS) assert.ok(chinese(optionLabel('zh', 'soundEffect', effect)), effect);
  for (const place of CUE_PLACES) assert.ok(chinese(optionLabel('zh', 'cuePlace', place)), place);
  for (const mood of SHORT_MOODS) assert.ok(chinese(optionLabel('zh', 'mood', mood)), mood);
  for (const music of ['bed', 'none', 'upload']) assert.ok(chinese(optionLabel('zh', 'shortMusic', music)), music);

  const draft = draftFromOutput({ title: '雨天', mood: 'gentle', language: 'zh', scenes: [{ narration: '下雨了。', caption: '雨', visual: '窗外的雨', sounds: [{ effect: 'rain', at: 'start' }] }, { narration: '雷声响起。', mood: 'melancholy', sounds: [] }] });
  assert.ok(draft);
  draft.scenes[1]!.caption = '打雷';
  draft.scenes[0]!.sounds = [];
  const script = shortScriptSchema.parse(JSON.parse(scriptJson(draft)));
  assert.deepEqual(script.scenes.map((s) => [s.caption, s.mood, s.sounds.length]), [
    ['雨', undefined, 0],
    ['打雷', 'melancholy', 0],
  ]);
  assert.equal(draftFromOutput('not json'), null);
  assert.equal(draftFromOutput({ title: 'x', scenes: [] }), null);
});

test('idea → short: without a text model the idea path offers the pull; your own script becomes editable scenes, then a short with its cover and files', async () => {
  const context = await studio.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${studio.url}/#/video`);
  const form = page.getByTestId('short-form');
  // The page opens on idea → short, from an idea; a fresh install has no text model.
  assert.equal(await page.locator('.segmented label.selected').first().getAttribute('data-mode'), 'short');
  await form.getByTestId('model-needed').waitFor({ timeout: 15_000 });
  assert.equal(await form.getByTestId('pull-button').count(), 1);
  await form.getByRole('button', { name: 'Write the script', exact: true }).click();
  const error = form.getByTestId('error');
  await error.waitFor({ timeout: 30_000 });
  assert.equal(await error.locator('.error-code').textContent(), 'MODEL_NOT_INSTALLED');
  // The hint names the pull command and the way round it (your own script); the error offers the pull.
  assert.match((await error.getByTestId('error-hint').textContent()) ?? '', /^shenbi models pull \S+/);
  assert.equal(await error.getByTestId('pull-button').count(), 1);

  // Your own script: the first line is the title, a line per scene (short lines keep the render quick).
  await form.locator('.segmented label[data-mode="own"]').click();
  assert.equal(await form.getByTestId('model-needed').count(), 0, 'the own-script path needs no model');
  await form.getByTestId('short-own-script').fill('Rainy day\nRain taps on the window.\nThunder rolls far away.\nThe crowd cheers and applauds.');
  await form.getByRole('button', { name: 'Split into scenes', exact: true }).click();
  const editor = page.getByTestId('short-edit-form');
  await editor.or(error).first().waitFor({ timeout: 30_000 });
  assert.equal(await form.getByTestId('error').count(), 0, await form.innerText());
  const scenes = editor.getByTestId('short-scene');
  assert.equal(await scenes.count(), 3);
  assert.equal(await editor.getByLabel('Title', { exact: true }).inputValue(), 'Rainy day');
  assert.equal(await scenes.nth(1).getByLabel('Narration').inputValue(), 'Thunder rolls far away.');

  // Edit a caption; in the first scene, add a whoosh and remove the cue the server tagged from the words ("Rain …").
  await scenes.nth(1).getByLabel('Caption').fill('Far thunder');
  const first = scenes.nth(0);
  const effects = () => first.getByTestId('short-cue').evaluateAll((chips) => chips.map((c) => (c as unknown as { getAttribute(n: string): string | null }).getAttribute('data-effect')));
  assert.deepEqual(await effects(), ['rain'], 'the server tagged the rain cue');
  await first.getByLabel('Add a sound…').selectOption('whoosh');
  assert.deepEqual(await effects(), ['rain', 'whoosh']);
  await first.getByRole('button', { name: /^Remove sound: Rain/ }).click();
  const keptInScene = await effects();
  assert.deepEqual(keptInScene, ['whoosh']);
  const removed = { scene: 0, effect: 'rain' };

  await editor.getByRole('button', { name: 'Render', exact: true }).click();
  const video = editor.getByTestId('short-video');
  await video.or(editor.getByTestId('error')).first().waitFor({ timeout: 150_000 });
  assert.equal(await editor.getByTestId('error').count(), 0, await editor.innerText());
  const stages = editor.getByTestId('short-stages').locator('li');
  assert.deepEqual(await stages.evaluateAll((items) => items.map((li) => `${(li as unknown as { getAttribute(n: string): string | null }).getAttribute('data-stage')}:${(li as unknown as { getAttribute(n: string): string | null }).getAttribute('data-state')}`)), ['script:done', 'pictures:done', 'short:done']);

  const duration = await video.evaluate(
    (node) =>
      new Promise<number>((resolve, reject) => {
        const element = node as unknown as MediaLike;
        if (element.readyState >= 1) resolve(element.duration);
        element.addEventListener('loadedmetadata', () => resolve(element.duration), { once: true });
        element.addEventListener('error', () => reject(new Error(`video error ${element.error?.code}`)), { once: true });
      }),
  );
  assert.ok(Number.isFinite(duration) && duration > 1, `video duration ${duration}`);
  const cover = editor.getByTestId('short-cover');
  // decode() resolves once the image has loaded and decoded, and rejects if it cannot.
  const size = await cover.evaluate(async (node) => {
    const image = node as unknown as ImageLike;
    await image.decode();
    return [image.naturalWidth, image.naturalHeight] as const;
  });
  assert.ok(size[1] > size[0], `a 9:16 cover: ${size.join('×')}`);
  assert.equal(await video.getAttribute('poster'), await cover.getAttribute('src'), 'the cover is the poster');

  // The files: the video, the cover, the SRT and the script.
  const downloads = editor.getByTestId('short-downloads');
  const outputs = await downloads.locator('li').evaluateAll((items) => items.map((li) => (li as unknown as { getAttribute(n: string): string | null }).getAttribute('data-output')));
  assert.deepEqual(outputs, ['video', 'cover', 'subtitles', 'script']);
  const href = async (output: string) => `${studio.url}${await downloads.locator(`li[data-output="${output}"] a`).getAttribute('href')}`;
  const mp4 = Buffer.from(await (await fetch(await href('video'))).arrayBuffer());
  assert.equal(mp4.subarray(4, 8).toString('latin1'), 'ftyp');
  assert.match(await (await fetch(await href('subtitles'))).text(), /-->/);
  // The short was made from the edited script: the new caption, and the removed cue gone.
  // The script document (the schema's JSON, with the implicit AIGC label beside it).
  const made = (await (await fetch(await href('script'))).json()) as { scenes: { caption: string; sounds: { effect: string }[] }[] };
  assert.equal(made.scenes[1]!.caption, 'Far thunder');
  assert.deepEqual(
    made.scenes[removed.scene]!.sounds.map((cue) => cue.effect),
    keptInScene,
    `the ${removed.effect} cue removed in the page is not put back`,
  );
  const videoId = (await video.getAttribute('data-artifact'))!;
  const meta = (await (await fetch(`${studio.url}/api/artifacts/${videoId}/meta`)).json()) as { jobId?: string };
  assert.ok(meta.jobId, 'the video names its job');
  const job = (await (await fetch(`${studio.url}/api/jobs/${meta.jobId}`)).json()) as { input: { script?: string } };
  const sent = shortScriptSchema.parse(JSON.parse(job.input.script ?? 'null'));
  assert.equal(sent.scenes[1]!.caption, 'Far thunder');
  assert.deepEqual(
    sent.scenes[removed.scene]!.sounds.map((cue) => cue.effect),
    keptInScene,
    `the ${removed.effect} cue removed in the page is not sent`,
  );

  mkdirSync(TEST_ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(TEST_ARTIFACTS, 'studio-short.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

/** Latin words of three letters or more, identifiers and allowed acronyms aside: English left in the Chinese UI. */
function englishWords(text: string): string[] {
  return text.split(/[\s\u3000-\u303f\u3400-\u9fff\uff00-\uffef·…]+/u).filter((token) => !/[./_:]/.test(token) && /[A-Za-z]{3,}/.test(token) && !['API', 'CPU', 'SRT', 'AIGC'].includes(token));
}

test('Chinese, phone width: the default own script splits into editable scenes with every label in Chinese and no sideways scroll', async () => {
  const context = await studio.browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${studio.url}/#/video`);
  await page.locator('.segmented label[data-mode="own"]').click();
  await page.getByRole('button', { name: '拆分成镜头', exact: true }).click();
  const editor = page.getByTestId('short-edit-form');
  await editor.or(page.getByTestId('error')).first().waitFor({ timeout: 30_000 });
  assert.equal(await page.getByTestId('error').count(), 0, await page.locator('main').innerText());
  assert.equal(await editor.getByTestId('short-scene').count(), 3);
  assert.equal(await editor.getByLabel('标题', { exact: true }).inputValue(), '秋天的第一杯茶');
  const shown = `${await editor.innerText()}\n${(await editor.locator('option').allTextContents()).join('\n')}\n${(await editor.locator('[aria-label]').evaluateAll((nodes) => nodes.map((n) => (n as unknown as { getAttribute(n: string): string | null }).getAttribute('aria-label')))).join('\n')}`;
  assert.deepEqual(englishWords(shown), []);
  const { scrollWidth, clientWidth } = await page.evaluate(() => {
    const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth };
  });
  assert.ok(scrollWidth <= clientWidth, `no sideways scroll at 390 px (${scrollWidth} > ${clientWidth})`);
  mkdirSync(TEST_ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(TEST_ARTIFACTS, 'studio-short-zh-390.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});
