import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { TEST_ARTIFACTS, useStudioSession } from '../helpers/studio-session.ts';

/**
 * The 3D page on a fresh install (no model at all): "一盏红灯笼" becomes the built-in lantern,
 * the viewer draws it, and the AI label the GLB carries is on screen over the start view. The
 * gallery then shows the same model in the same viewer.
 */

/** VIEWER_BACKGROUND in src/web/app/components/ModelViewer.tsx. */
const BACKGROUND = [0xe8, 0xe8, 0xe4];

const studio = useStudioSession({ name: '3d' });

/** The label text in a GLB's JSON chunk (asset.extras.aigcExplicitLabel.text). */
function glbLabel(glb: Buffer): string | undefined {
  assert.equal(glb.readUInt32LE(0), 0x46546c67, 'a GLB');
  const json = JSON.parse(glb.subarray(20, 20 + glb.readUInt32LE(12)).toString('utf8')) as { asset?: { extras?: { aigcExplicitLabel?: { text?: string } } } };
  return json.asset?.extras?.aigcExplicitLabel?.text;
}

/** Waits for the viewer to finish loading; fails with the page's error text if it could not. */
async function readyViewer(scope: Page | Locator, timeout: number): Promise<Locator> {
  const viewer = scope.locator('[data-testid="model-viewer"]').first();
  const page = 'page' in scope ? scope.page() : scope;
  await scope.locator('[data-testid="model-viewer"][data-state="ready"], [data-testid="model-viewer"][data-state="error"]').or(page.getByTestId('error')).first().waitFor({ timeout });
  assert.equal(await page.getByTestId('error').count(), 0, await page.locator('main').innerText());
  assert.equal(await viewer.getAttribute('data-state'), 'ready', await viewer.innerText());
  return viewer;
}

/** Share of pixels within ±`half` of the canvas centre that are not the viewer's background. */
async function centreCoverage(png: Buffer, half: number): Promise<{ covered: number; centre: number[] }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const cx = Math.floor(info.width / 2);
  const cy = Math.floor(info.height / 2);
  let covered = 0;
  let total = 0;
  for (let y = cy - half; y <= cy + half; y += 1) {
    for (let x = cx - half; x <= cx + half; x += 1) {
      const at = (y * info.width + x) * 3;
      total += 1;
      if (BACKGROUND.some((value, channel) => Math.abs(data[at + channel]! - value) > 6)) covered += 1;
    }
  }
  const at = (cy * info.width + cx) * 3;
  return { covered: covered / total, centre: [data[at]!, data[at + 1]!, data[at + 2]!] };
}

/** The label is in the DOM, visible, inside the canvas's box and not covered by anything. */
async function assertLabelOnScreen(viewer: Locator, expected: string): Promise<void> {
  const label = viewer.getByTestId('model-label');
  // A page screenshot clips to the viewport: bring the viewer into it first.
  await viewer.scrollIntoViewIfNeeded();
  assert.equal(await label.textContent(), expected);
  assert.ok(await label.isVisible(), 'the label is visible');
  const [box, canvas] = await Promise.all([label.boundingBox(), viewer.getByTestId('model-canvas').boundingBox()]);
  assert.ok(box && canvas && box.width > 20 && box.height > 8, JSON.stringify({ box, canvas }));
  assert.ok(box.x >= canvas.x && box.y >= canvas.y && box.x + box.width <= canvas.x + canvas.width && box.y + box.height <= canvas.y + canvas.height, 'drawn over the view');
  // On screen, not just in the DOM: the label's area of a real screenshot is its dark pill with
  // light text, painted over the light stage.
  const { data } = await sharp(await label.page().screenshot({ clip: box })).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let dark = 0;
  let light = 0;
  for (let i = 0; i < data.length; i += 3) {
    const luma = 0.2126 * data[i]! + 0.7152 * data[i + 1]! + 0.0722 * data[i + 2]!;
    if (luma < 90) dark += 1;
    else if (luma > 200) light += 1;
  }
  const pixels = data.length / 3;
  assert.ok(dark / pixels > 0.4 && light / pixels > 0.02, `label pixels: ${dark} dark, ${light} light of ${pixels}`);
}

test('the 3D page makes 一盏红灯笼 offline, the viewer draws it with its AI label, and the gallery shows it too', async () => {
  const context = await studio.browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${studio.url}/#/3d`);
  const prompt = page.getByRole('textbox', { name: '想做什么物件' });
  assert.equal(await prompt.inputValue(), '一盏红灯笼');
  await page.getByRole('button', { name: '生成', exact: true }).click();

  const viewer = await readyViewer(page.getByTestId('result'), 240_000);
  const result = page.getByTestId('result');
  const downloads = await result.getByTestId('model-downloads').locator('a').evaluateAll((links) => links.map((a) => (a as unknown as { getAttribute(n: string): string | null }).getAttribute('href')));
  const names = await result.getByTestId('model-downloads').locator('a').allTextContents();
  // Every format of the one build, the program and the thumbnail.
  for (const ending of ['.glb', '.gltf', '.stl', '.3mf', '.usdz', '.scene.json', '.png']) assert.ok(names.some((n) => n.endsWith(ending)), `${ending} among ${names.join(', ')}`);

  // The label the server wrote into the GLB is the one on screen.
  const glbHref = downloads[names.findIndex((n) => n.endsWith('.glb'))]!;
  const glb = Buffer.from(await (await fetch(`${studio.url}${glbHref}`)).arrayBuffer());
  const wording = glbLabel(glb);
  assert.ok(wording && /人工智能生成|AI/.test(wording), `GLB label: ${wording}`);
  await assertLabelOnScreen(viewer, wording);

  // The viewer drew the lantern: the centre of its canvas is the model, not the background.
  const shot = await viewer.getByTestId('model-canvas').screenshot();
  mkdirSync(TEST_ARTIFACTS, { recursive: true });
  writeFileSync(join(TEST_ARTIFACTS, 'studio-3d-viewer.png'), shot);
  await page.screenshot({ path: join(TEST_ARTIFACTS, 'studio-3d-page.png'), fullPage: true });
  const { covered, centre } = await centreCoverage(shot, 6);
  assert.ok(covered > 0.9, `centre pixels are the model: ${covered} covered, centre rgb(${centre.join(', ')})`);

  // Parts (glTF node names) and metrics from the job.
  assert.ok((await viewer.getByTestId('model-parts').locator('li').count()) >= 1, 'parts listed');
  const metrics = await result.getByTestId('model-metrics').innerText();
  assert.match(metrics, /\d+ × \d+ × \d+ mm/);
  assert.match(metrics, /cm³/);

  // Orbiting changes the view (the controls are live).
  const canvasBox = (await viewer.getByTestId('model-canvas').boundingBox())!;
  await page.mouse.move(canvasBox.x + canvasBox.width / 2, canvasBox.y + canvasBox.height / 2);
  await page.mouse.down();
  await page.mouse.move(canvasBox.x + canvasBox.width / 2 + 200, canvasBox.y + canvasBox.height / 2, { steps: 8 });
  await page.mouse.up();
  assert.notDeepEqual(await viewer.getByTestId('model-canvas').screenshot(), shot, 'dragging orbits the camera');

  // The gallery: the same model in the same viewer, with the same label.
  await page.getByRole('link', { name: '作品库' }).click();
  const item = page.locator('[data-testid="gallery-item"]').filter({ has: page.locator('[data-testid="model-viewer"]') }).first();
  // Every file of the build is in the gallery, each in its own software-WebGL viewer: generous under load.
  const galleryViewer = await readyViewer(item, 180_000);
  await assertLabelOnScreen(galleryViewer, wording);
  const galleryShot = await galleryViewer.getByTestId('model-canvas').screenshot();
  assert.ok((await centreCoverage(galleryShot, 4)).covered > 0.9, 'the gallery viewer draws the model');
  assert.deepEqual(errors, []);
  await context.close();
});
