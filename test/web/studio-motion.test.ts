import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { TEST_ARTIFACTS, useStudioSession } from '../helpers/studio-session.ts';

/**
 * The Motion page on a fresh install (no model at all): the default prompt "向前走三步然后挥手"
 * becomes a walk and a wave, the player plays the mannequin (the figure's pixels change while
 * it plays and hold still when paused), the AI label the GLB carries is over the view, the plan
 * is a timeline, the plausibility metrics are listed, and the gallery plays the same motion.
 */


const studio = useStudioSession({ name: 'motion' });

/** The label text in a GLB's JSON chunk (asset.extras.aigcExplicitLabel.text). */
function glbLabel(glb: Buffer): string | undefined {
  assert.equal(glb.readUInt32LE(0), 0x46546c67, 'a GLB');
  const json = JSON.parse(glb.subarray(20, 20 + glb.readUInt32LE(12)).toString('utf8')) as { asset?: { extras?: { aigcExplicitLabel?: { text?: string } } } };
  return json.asset?.extras?.aigcExplicitLabel?.text;
}

/** Waits for the player to load; fails with the page's error text if it could not. */
async function readyPlayer(scope: Page | Locator, timeout: number): Promise<Locator> {
  const player = scope.locator('[data-testid="motion-player"]').first();
  const page = 'page' in scope ? scope.page() : scope;
  await scope.locator('[data-testid="motion-player"][data-state="ready"], [data-testid="motion-player"][data-state="error"]').or(page.getByTestId('error')).first().waitFor({ timeout });
  assert.equal(await page.getByTestId('error').count(), 0, await page.locator('main').innerText());
  assert.equal(await player.getAttribute('data-state'), 'ready', await player.innerText());
  return player;
}

/** Pixels (of the whole canvas) whose colour differs between two screenshots by more than `tolerance` in some channel. */
async function changedPixels(a: Buffer, b: Buffer, tolerance = 24): Promise<{ changed: number; box: [number, number, number, number] | null; area: number }> {
  const [first, second] = await Promise.all([a, b].map((png) => sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true })));
  assert.deepEqual([first!.info.width, first!.info.height], [second!.info.width, second!.info.height]);
  const { width, height } = first!.info;
  let changed = 0;
  let box: [number, number, number, number] | null = null;
  for (let i = 0; i < first!.data.length; i += 3) {
    if (![0, 1, 2].some((c) => Math.abs(first!.data[i + c]! - second!.data[i + c]!) > tolerance)) continue;
    changed += 1;
    const x = (i / 3) % width;
    const y = Math.floor(i / 3 / width);
    box = box ? [Math.min(box[0], x), Math.min(box[1], y), Math.max(box[2], x), Math.max(box[3], y)] : [x, y, x, y];
  }
  return { changed, box, area: width * height };
}

/** The label is in the DOM, visible, and drawn inside the canvas's box. */
async function assertLabelOnScreen(player: Locator, expected: string): Promise<void> {
  const label = player.getByTestId('motion-label');
  assert.equal(await label.textContent(), expected);
  assert.ok(await label.isVisible(), 'the label is visible');
  const [box, canvas] = await Promise.all([label.boundingBox(), player.getByTestId('motion-canvas').boundingBox()]);
  assert.ok(box && canvas && box.width > 20 && box.height > 8, JSON.stringify({ box, canvas }));
  assert.ok(box.x >= canvas.x && box.y >= canvas.y && box.x + box.width <= canvas.x + canvas.width && box.y + box.height <= canvas.y + canvas.height, 'drawn over the view');
}

/** The player is playing: two screenshots some time apart differ where the figure is, and the clock moved. */
async function assertPlays(player: Locator, name: string): Promise<void> {
  const canvas = player.getByTestId('motion-canvas');
  const time = player.getByTestId('motion-time');
  const [before, startedAt] = [await canvas.screenshot(), await time.textContent()];
  // A busy machine may draw only a frame or two in 700 ms, or land in a near-still moment of the
  // clip: look again, a few times, before calling it stopped.
  let later: Buffer;
  let laterAt: string | null;
  let diff: Awaited<ReturnType<typeof changedPixels>>;
  for (let look = 1; ; look++) {
    await player.page().waitForTimeout(700);
    [later, laterAt] = [await canvas.screenshot(), await time.textContent()];
    diff = await changedPixels(before, later);
    if ((laterAt !== startedAt && diff.changed > 200) || look === 5) break;
  }
  mkdirSync(TEST_ARTIFACTS, { recursive: true });
  writeFileSync(join(TEST_ARTIFACTS, `${name}-a.png`), before);
  writeFileSync(join(TEST_ARTIFACTS, `${name}-b.png`), later);
  assert.notEqual(laterAt, startedAt, 'the clock moves');
  const { changed, box, area } = diff;
  // The figure is a few hundred pixels tall; a moving figure changes hundreds of them.
  assert.ok(changed > 200, `${changed} pixels changed`);
  // Only the figure moves (the camera and the ground stay): the change is a figure-sized patch, not the whole view.
  assert.ok(box && (box[2] - box[0] + 1) * (box[3] - box[1] + 1) < 0.6 * area, `changed box ${JSON.stringify(box)} of ${area} pixels`);
}

test('the Motion page makes 向前走三步然后挥手 offline: the player plays it with its AI label, the plan is a timeline, the metrics are listed, and the gallery plays it too', async () => {
  const context = await studio.browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${studio.url}/#/motion`);
  const prompt = page.getByRole('textbox', { name: '想要什么动作' });
  assert.equal(await prompt.inputValue(), '向前走三步然后挥手');
  await page.getByRole('button', { name: '生成', exact: true }).click();

  const result = page.getByTestId('result');
  const player = await readyPlayer(result, 240_000);
  assert.equal(await player.getAttribute('data-playing'), 'true', 'plays on arrival');

  // Every file to download: the GLB (the default format) and the plan.
  const links = result.getByTestId('motion-downloads').locator('a');
  const names = await links.allTextContents();
  const hrefs = await links.evaluateAll((anchors) => anchors.map((a) => (a as unknown as { getAttribute(n: string): string | null }).getAttribute('href')));
  assert.ok(names.some((n) => n.endsWith('.glb')), names.join(', '));
  assert.ok(names.some((n) => n.endsWith('.json')), names.join(', '));

  // The label the server wrote into the GLB is the one over the view.
  const glb = Buffer.from(await (await fetch(`${studio.url}${hrefs[names.findIndex((n) => n.endsWith('.glb'))]!}`)).arrayBuffer());
  const wording = glbLabel(glb);
  assert.ok(wording && /人工智能生成|AI/.test(wording), `GLB label: ${wording}`);
  await assertLabelOnScreen(player, wording);

  await assertPlays(player, 'studio-motion');
  await page.screenshot({ path: join(TEST_ARTIFACTS, 'studio-motion-page.png'), fullPage: true });

  // Paused, the picture holds still; scrubbing moves the figure to that time.
  const canvas = player.getByTestId('motion-canvas');
  await player.getByTestId('motion-play').click();
  assert.equal(await player.getAttribute('data-playing'), 'false');
  const paused = await canvas.screenshot();
  await page.waitForTimeout(400);
  assert.equal((await changedPixels(paused, await canvas.screenshot(), 0)).changed, 0, 'paused: nothing moves');
  await player.getByTestId('motion-scrub').fill('0');
  assert.match((await player.getByTestId('motion-time').textContent()) ?? '', /^0\.00 \//);
  assert.ok((await changedPixels(paused, await canvas.screenshot())).changed > 100, 'scrubbing to the start moves the figure');
  // The skeleton view draws something else than the mannequin.
  const mannequin = await canvas.screenshot();
  await player.getByTestId('motion-view').selectOption('skeleton');
  assert.ok((await changedPixels(mannequin, await canvas.screenshot())).changed > 100, 'the skeleton view differs');

  // The plan as a timeline: the walk on the full-body row, the wave on the upper-body row (or after the walk).
  const timeline = result.getByTestId('motion-timeline');
  // The synthesiser's realised times (job output `timeline`), not an evenly spaced list.
  assert.equal(await timeline.getAttribute('data-timed'), 'true');
  const actions = await timeline.locator('.motion-bar').evaluateAll((bars) => bars.map((bar) => (bar as unknown as { getAttribute(n: string): string | null }).getAttribute('data-action')));
  assert.ok(actions.includes('walk') && actions.includes('wave'), actions.join(', '));
  assert.equal(await timeline.locator('[data-layer="full"] .motion-bar[data-action="walk"]').first().textContent(), '走');
  assert.equal(await timeline.locator('.motion-bar[data-action="wave"]').first().textContent(), '挥手');
  // Bars sit in order along the track: the wave does not start before the walk.
  const starts = await timeline.locator('.motion-bar').evaluateAll((bars) => bars.map((bar) => Number((bar as unknown as { getAttribute(n: string): string | null }).getAttribute('data-start'))));
  assert.ok(starts[actions.indexOf('wave')]! >= starts[actions.indexOf('walk')]!, JSON.stringify({ actions, starts }));

  // The plausibility metrics.
  const metrics = result.getByTestId('motion-metrics');
  for (const key of ['footSkateCmPerS', 'floatCm', 'penetrationCm', 'jerk']) assert.match(await metrics.locator(`[data-metric="${key}"] dd`).innerText(), /^-?\d+(\.\d+)? \S+$/, key);
  assert.match(await metrics.innerText(), /cm\/s/);

  // The gallery: the same motion in the same player, playing, with the same label.
  await page.getByRole('link', { name: '作品库' }).click();
  // The GLB (the BVH beside it plays too, as a skeleton).
  const item = page.locator('[data-testid="gallery-item"]').filter({ has: page.locator('figure[data-mime="model/gltf-binary"] [data-testid="motion-player"]') }).first();
  const galleryPlayer = await readyPlayer(item, 60_000);
  await assertLabelOnScreen(galleryPlayer, wording);
  await assertPlays(galleryPlayer, 'studio-motion-gallery');
  assert.deepEqual(errors, []);
  await context.close();
});
