import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sendJson, startFakeServer, type FakeServer } from '../helpers/fake-providers.ts';
import { TEST_ARTIFACTS, useStudioSession } from '../helpers/studio-session.ts';
import { TESTDATA } from '../helpers/testdata.ts';

/**
 * The Digital human page on a fresh install (no model at all): a real public-domain photo
 * (NASA's portrait of Eileen Collins) is uploaded, the page asks for consent and refuses in
 * words without it, then with it the `talking-head` pipeline renders a short presenter video
 * that the page shows in a <video> that loads and plays, with its files to download.
 */

const PORTRAIT = join(TESTDATA, 'portrait-astronaut.png');

/** What the test reads of a media element (the test's tsconfig has no DOM library). */
interface MediaLike {
  readyState: number;
  duration: number;
  currentTime: number;
  muted: boolean;
  paused: boolean;
  error: { code: number } | null;
  play(): Promise<void>;
  addEventListener(type: string, listener: () => void, options?: { once: boolean }): void;
}

// A cloud image provider speaking OpenAI's images protocol, configured under a name the studio
// cannot tell is image-capable (and with no default model, so it is not listed at all).
let images: FakeServer | undefined;
const studio = useStudioSession({
  name: 'digital-human',
  chromiumArgs: ['--autoplay-policy=no-user-gesture-required'],
  env: { PICTURES_KEY: 'sk-pictures' },
  async prepare(home) {
    images = await startFakeServer((req, res) => sendJson(res, 200, { created: 1, data: [{ b64_json: readFileSync(PORTRAIT).toString('base64') }] }));
    writeFileSync(join(home, 'config.json'), JSON.stringify({ providers: [{ name: 'pictures', kind: 'openai', baseURL: `${images.baseURL}/v1`, apiKeyEnv: 'PICTURES_KEY' }] }));
  },
  async cleanup() {
    await images?.close();
  },
});

test('the server itself refuses an uploaded face without consent (the page is not the only guard)', async () => {
  const uploaded = await fetch(`${studio.url}/api/uploads?name=portrait.png`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: readFileSync(PORTRAIT) });
  assert.equal(uploaded.status, 201, await uploaded.clone().text());
  const { id } = (await uploaded.json()) as { id: string };
  const created = await fetch(`${studio.url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pipeline: 'talking-head', input: { portrait: id, text: 'Hello.' } }) });
  const body = (await created.json()) as { id?: string; error?: { code: string } };
  // Refused at once (input check) or by the step before any work: either way GOVERNANCE_REFUSED.
  let code = body.error?.code;
  for (let status = ''; code === undefined && body.id; ) {
    const job = (await (await fetch(`${studio.url}/api/jobs/${body.id}`)).json()) as { status: string; error: { code: string } | null };
    status = job.status;
    assert.notEqual(status, 'completed', 'a job with a real face and no consent must not complete');
    if (status === 'failed') code = job.error?.code;
    else await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.equal(code, 'GOVERNANCE_REFUSED');
});

/** Latin words of three letters or more, identifiers (`config.json`) and allowed acronyms aside: English left in the Chinese UI. */
function englishWords(text: string): string[] {
  return text.split(/[\s\u3000-\u303f\u3400-\u9fff\uff00-\uffef·…]+/u).filter((token) => !/[./_:]/.test(token) && /[A-Za-z]{3,}/.test(token) && !['API', 'CPU'].includes(token));
}

test('Chinese, phone width: a picture made earlier and one generated through the image provider are picked without consent; an upload asks for it', async () => {
  // An offline picture (the typographic card): what matters is that it was made here.
  const made = await fetch(`${studio.url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ task: 'image', input: { prompt: 'A presenter' } }) });
  assert.equal(made.status, 202, await made.clone().text());
  const { id } = (await made.json()) as { id: string };
  let artifact: string | undefined;
  for (let status = ''; status !== 'completed'; ) {
    const job = (await (await fetch(`${studio.url}/api/jobs/${id}`)).json()) as { status: string; outputs: unknown };
    status = job.status;
    assert.ok(status !== 'failed' && status !== 'cancelled', `image job ${status}`);
    artifact = /art_[0-9a-z]{26}/.exec(JSON.stringify(job.outputs))?.[0];
    if (status !== 'completed') await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.ok(artifact, 'the image job made an artifact');

  const context = await studio.browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${studio.url}/#/digital-human`);
  const form = page.getByTestId('digital-human-form');
  const thumb = form.locator(`[data-testid="gallery-portrait"]:has(img[src$="${artifact}"])`);
  await thumb.click();
  assert.equal(await thumb.getAttribute('aria-pressed'), 'true');
  await form.locator('[data-testid="portrait-preview"][data-source="artifact"] img').waitFor();
  assert.ok(await form.getByTestId('consent-not-needed').isVisible());
  assert.equal(await form.getByTestId('consent').count(), 0);

  // No image model the studio can recognise: disabled, with the reason; naming one enables it.
  await form.getByTestId('portrait-generate').locator('summary').click();
  const button = form.getByTestId('portrait-generate-button');
  assert.equal(await button.isDisabled(), true);
  const hint = form.getByTestId('portrait-generate-hint');
  assert.match(await hint.innerText(), /没有配置图像模型/);
  await form.getByTestId('portrait-generate').getByLabel('模型（可选）').fill('pictures:gpt-image-1');
  await button.click();
  // The new picture joins the thumbnails, picked.
  await form.locator(`[data-testid="gallery-portrait"][aria-pressed="true"]:not(:has(img[src$="${artifact}"])), [data-testid="error"]`).first().waitFor({ timeout: 30_000 });
  assert.equal(await form.getByTestId('error').count(), 0, await form.innerText());
  assert.equal(await thumb.getAttribute('aria-pressed'), 'false');
  const picked = await form.locator('[data-testid="portrait-preview"][data-source="artifact"] img').getAttribute('src');
  assert.match(picked ?? '', /^\/api\/artifacts\/art_/);
  assert.notEqual(picked, `/api/artifacts/${artifact}`, 'the new picture is the one shown');
  assert.equal(images!.requests.at(-1)?.url, '/v1/images/generations');
  assert.equal(images!.requests.at(-1)?.body.model, 'gpt-image-1');
  assert.equal(await form.getByTestId('consent').count(), 0);

  // A real photo: the consent block, in Chinese.
  await form.getByLabel(/上传照片/).setInputFiles(PORTRAIT);
  const consent = form.getByTestId('consent');
  await consent.waitFor();
  assert.equal(await form.getByTestId('consent-not-needed').count(), 0);
  assert.equal(await form.locator('[data-testid="gallery-portrait"][aria-pressed="true"]').count(), 0);
  assert.match(await consent.innerText(), /模仿真实人物.*须经本人同意.*记录在作品的来源信息中/);
  assert.deepEqual(englishWords(`${await consent.innerText()}\n${await hint.innerText()}\n${(await consent.locator('option').allTextContents()).join('\n')}`), []);
  const { scrollWidth, clientWidth } = await page.evaluate(() => {
    const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth };
  });
  assert.ok(scrollWidth <= clientWidth, `no sideways scroll at 390 px (${scrollWidth} > ${clientWidth})`);
  mkdirSync(TEST_ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(TEST_ARTIFACTS, 'studio-digital-human-zh-390.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('the Digital human page: upload a real photo, consent is asked for and refused without, then a playing presenter video with its downloads', async () => {
  const context = await studio.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${studio.url}/#/digital-human`);
  assert.equal(await page.locator('main h1').textContent(), 'Digital human');
  const form = page.getByTestId('digital-human-form');
  assert.ok(await form.getByTestId('badge-offline').first().isVisible(), 'marked as working offline');

  // No image model on a fresh install: generating a portrait is offered, disabled, with the reason.
  await form.getByTestId('portrait-generate').locator('summary').click();
  assert.equal(await form.getByTestId('portrait-generate-button').isDisabled(), true);
  assert.match((await form.getByTestId('portrait-generate-hint').textContent()) ?? '', /no image model/i);

  // A real photo: the consent block appears, with the law in one line.
  assert.equal(await form.getByTestId('consent').count(), 0, 'no consent block before a photo is chosen');
  await form.getByLabel(/Upload a photo/).setInputFiles(PORTRAIT);
  await form.locator('[data-testid="portrait-preview"][data-source="upload"] img').waitFor({ timeout: 15_000 });
  const consent = form.getByTestId('consent');
  await consent.waitFor();
  assert.match(await consent.innerText(), /imitating a real person needs their consent; it is recorded in the provenance/);

  // ~1 s of speech keeps the render short.
  await form.getByRole('textbox', { name: 'Script (Chinese or English)' }).fill('Hello, I fly in space.');
  const generate = form.getByRole('button', { name: 'Generate', exact: true });
  await generate.click();
  const refusal = form.getByTestId('consent-refusal');
  await refusal.waitFor();
  assert.match(await refusal.innerText(), /Refused: .*real person.*consent/);
  assert.equal(await form.getByTestId('result').count(), 0, 'nothing was generated');

  await consent.getByLabel('Who is shown').fill('Eileen Collins');
  await consent.getByLabel('Basis').selectOption('public-domain');
  await generate.click();
  await refusal.waitFor({ state: 'detached' });

  const video = form.locator('[data-testid="result"] [data-testid="talking-head-video"]');
  await video.or(form.getByTestId('error')).first().waitFor({ timeout: 120_000 });
  assert.equal(await form.getByTestId('error').count(), 0, await form.innerText());

  const duration = await video.evaluate(
    (node) =>
      new Promise<number>((resolve, reject) => {
        const element = node as unknown as MediaLike;
        if (element.readyState >= 1) resolve(element.duration);
        element.addEventListener('loadedmetadata', () => resolve(element.duration), { once: true });
        element.addEventListener('error', () => reject(new Error(`video error ${element.error?.code}`)), { once: true });
      }),
  );
  assert.ok(Number.isFinite(duration) && duration > 0.3, `video duration ${duration}`);
  // It plays: the clock moves after play(). On a busy machine decoding can start late, so this
  // waits for the clock to pass 0.1 s (or 15 s to go by) rather than sampling it once.
  const played = await video.evaluate(
    (node) =>
      new Promise<number>((resolve, reject) => {
        const element = node as unknown as MediaLike;
        element.muted = true;
        // No named functions in here: tsx's keepNames would wrap them in a __name the page lacks.
        setTimeout(() => resolve(element.currentTime), 15_000);
        element.addEventListener('timeupdate', () => {
          if (element.currentTime > 0.1) resolve(element.currentTime);
        });
        element.play().catch(reject);
      }),
  );
  assert.ok(played > 0.1, `currentTime 15 s after play(): ${played}`);
  assert.ok(await form.getByTestId('ai-label').first().isVisible(), 'the result is marked AI-generated');

  // The files: the video (MP4), its audio and the speech timings.
  const downloads = form.getByTestId('talking-head-downloads');
  const outputs = await downloads.locator('li').evaluateAll((items) => items.map((li) => (li as unknown as { getAttribute(n: string): string | null }).getAttribute('data-output')));
  assert.deepEqual(outputs, ['video', 'audio', 'timings']);
  const href = (output: string) => downloads.locator(`li[data-output="${output}"] a`).getAttribute('href');
  const mp4 = await fetch(`${studio.url}${await href('video')}`);
  assert.equal(mp4.headers.get('content-type'), 'video/mp4');
  assert.equal(Buffer.from(await mp4.arrayBuffer()).subarray(4, 8).toString('latin1'), 'ftyp');
  const timings = (await (await fetch(`${studio.url}${await href('timings')}`)).json()) as { words?: unknown[] };
  assert.ok(Array.isArray(timings.words) && timings.words.length >= 3, JSON.stringify(timings).slice(0, 200));

  // The consent given is in the video's provenance.
  const videoId = (await video.getAttribute('data-artifact'))!;
  const meta = await (await fetch(`${studio.url}/api/artifacts/${videoId}/meta`)).text();
  assert.match(meta, /Eileen Collins/);
  assert.match(meta, /public-domain/);

  mkdirSync(TEST_ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(TEST_ARTIFACTS, 'studio-digital-human.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});
