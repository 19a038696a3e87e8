import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DEFAULT_TEXT_MODEL } from '../../src/config/load.ts';
import { buildStudio } from '../../src/web/build.ts';
import { startFileServer, type TestFileServer } from '../helpers/http-file-server.ts';
import { startServeProcess, type ServeProcess } from '../helpers/serve-process.ts';
import { fillExactly } from '../helpers/fill-exactly.ts';
import { TESTDATA } from '../helpers/testdata.ts';

/**
 * The studio as a newcomer meets it: a fresh home with no model installed. Every page, in
 * Chinese and English, at a desktop and a phone width: no sideways scrolling, no English left
 * in the Chinese UI, each page that needs the text model says exactly how to get it (with a
 * Pull button), and each page opens on what works offline.
 */

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const ARTIFACTS = join(REPO, 'test-artifacts');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync'];
// Its own build folder: studio.test.ts may be building dist/web at the same time.
const BUILD = join(tmpdir(), 'shenbi-studio-i18n-build');
const PULL_DEFAULT = `shenbi models pull ${DEFAULT_TEXT_MODEL}`;

const home = mkdtempSync(join(tmpdir(), 'shenbi-studio-i18n-'));
let server: ServeProcess | undefined;
let mirror: TestFileServer | undefined;
let browser: Browser | undefined;

before(async () => {
  // A Hugging Face mirror on loopback holding only the tiny model, so the Pull button really downloads.
  mirror = await startFileServer({ '/ggml-org/models/resolve/main/tinyllamas/stories260K.gguf': join(TESTDATA, 'stories260K.gguf') });
  mirror.plan(() => ({ chunkDelayMs: 15 }));
  await buildStudio({ outDir: BUILD });
  [server, browser] = await Promise.all([
    startServeProcess({ home, env: { SHENBI_MODEL_ENDPOINT: mirror.origin }, args: [join(REPO, 'bin/shenbi.js'), '--json', 'serve', '--port', '0', '--static', BUILD] }),
    chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS }),
  ]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await mirror?.close();
  rmSync(home, { recursive: true, force: true });
});

async function open(locale: 'zh-CN' | 'en-US', width: number): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser!.newContext({ locale, viewport: { width, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, errors };
}

/** A studio view: a route, optionally a mode picked on it, and what shows once it has loaded. */
interface View {
  route: string;
  mode?: string;
  ready: string;
  needsModel?: boolean;
}

const VIEWS: View[] = [
  { route: 'text', ready: '[data-testid="model-needed"]', needsModel: true },
  { route: 'speech', ready: 'main form textarea' },
  { route: 'image', ready: 'main form textarea' },
  { route: 'music', ready: 'main form textarea' },
  { route: 'music', mode: 'blessing', ready: '[data-testid="model-needed"]', needsModel: true },
  // Idea → short opens on writing from an idea (needs the text model); your own script works offline.
  { route: 'video', ready: '[data-testid="short-form"] [data-testid="model-needed"]', needsModel: true },
  { route: 'video', mode: 'own', ready: '[data-testid="short-own-script"]' },
  { route: 'video', mode: 'edit', ready: '[data-testid="upload-input"]' },
  { route: 'video', mode: 'article', ready: '[data-testid="model-needed"]', needsModel: true },
  { route: 'vision', ready: '[data-testid="upload-input"]' },
  { route: '3d', ready: '[data-testid="model3d-form"] textarea' },
  { route: 'motion', ready: '[data-testid="motion-form"] textarea' },
  { route: 'digital-human', ready: '[data-testid="digital-human-form"] textarea' },
  { route: 'npc', ready: '[data-testid="model-needed"]', needsModel: true },
  { route: 'gallery', ready: '[data-testid="gallery-job"], .empty' },
  { route: 'models', ready: '[data-testid="model-row"]' },
  { route: 'settings', ready: '.settings section:last-of-type li' },
];

async function show(page: Page, view: View): Promise<void> {
  await page.evaluate(`location.hash = ${JSON.stringify(`#/${view.route}`)}`);
  await page.locator(`nav a[href="#/${view.route}"][aria-current="page"]`).waitFor();
  if (view.mode) await page.locator(`.segmented label[data-mode="${view.mode}"]`).click();
  await page.locator(view.ready).first().waitFor({ timeout: 15_000 });
}

/**
 * Every piece of text a reader meets: visible text nodes, every <option>, and placeholders,
 * titles, alt texts and aria-labels. Left out: code and commands (<code>, <pre>), content
 * marked translate="no" (model names, file names, user content) and text marked lang="en"
 * (the bilingual AI label; the server's own message, folded under its translated title).
 */
const READ_TEXTS = `(() => {
  const skip = 'code, pre, kbd, samp, script, style, textarea, [translate="no"], [lang="en"]';
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    const text = node.textContent.trim();
    if (!element || text === '' || element.closest(skip)) continue;
    if (element.tagName === 'OPTION') continue;
    if (element.getClientRects().length === 0 || getComputedStyle(element).visibility === 'hidden') continue;
    out.push(text);
  }
  for (const option of document.querySelectorAll('option')) if (!option.closest(skip)) out.push(option.textContent.trim());
  for (const element of document.querySelectorAll('[placeholder], [title], [alt], [aria-label]')) {
    if (element.closest(skip)) continue;
    for (const name of ['placeholder', 'title', 'alt', 'aria-label']) {
      const value = element.getAttribute(name);
      if (value) out.push(value);
    }
  }
  out.push(document.title);
  return out;
})()`;

/**
 * Latin words allowed in the Chinese UI: brand and product names, the other language's own
 * name, acronyms, units and formats. Model names (the catalog's) are added before the walk.
 */
const ALLOWED = new Set(['Shenbi', 'English', 'AIGC', 'NPC', 'OCR', 'MIDI', 'API', 'URL', 'JSON', 'WAV', 'MP3', 'OGG', 'FLAC', 'OpenAI', 'Deadwood', 'CPU', 'kHz', 'VAD', 'ONNX', 'GGUF', 'SF3', 'Qwen', 'Llama', 'TinyStories', 'Silero', 'FluidR3', 'onnxruntime', 'GLB', 'glTF', 'STL', 'BVH', 'USDZ', 'SRT']);

/** English words in texts shown in the Chinese UI (identifiers such as `a:b`, `a_b`, paths and commands excepted). */
function untranslated(texts: string[]): string[] {
  const found = new Set<string>();
  for (const text of texts) {
    // A `shenbi …` command quoted in a sentence is a command, not prose.
    const prose = text.replace(/\bshenbi(\s+[\w.:-]+)+/g, ' ');
    for (const token of prose.split(/[\s\u3000-\u303f\u3400-\u9fff\uff00-\uffef·…]+/u)) {
      // Identifiers, paths, ids (`upl_…`), flags (`--set`) and model names are code, not prose.
      if (/[/_~:.@<>=$\\]/.test(token) || token.startsWith('-') || ALLOWED.has(token)) continue;
      const word = token.replace(/^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu, '');
      if (word === '' || ALLOWED.has(word)) continue;
      for (const part of word.split('-')) if (/[A-Za-z]{3,}/.test(part) && !ALLOWED.has(part)) found.add(`${part} (in "${text.slice(0, 80)}")`);
    }
  }
  return [...found];
}

/** Buttons whose label wraps onto a second line (a Range over the label gives one rect per line). */
const WRAPPED_BUTTONS = `[...document.querySelectorAll('main button')].filter((button) => {
  if (button.getClientRects().length === 0) return false;
  const range = document.createRange();
  range.selectNodeContents(button);
  return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size > 1;
}).map((button) => button.textContent)`;

async function horizontalOverflow(page: Page): Promise<{ scrollWidth: number; clientWidth: number }> {
  return page.evaluate(() => {
    const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth };
  });
}

test('a fresh install: GET /api/models names the default text model, and none is installed', async () => {
  const body = (await (await fetch(`${server!.url}/api/models`)).json()) as { defaults: { text: string }; installed: unknown[] };
  assert.equal(body.defaults.text, DEFAULT_TEXT_MODEL);
  assert.deepEqual(body.installed, []);
});

test('every studio page, zh and en, at 1280 px and 390 px: no sideways scroll, no English in the Chinese UI', async () => {
  // Something in the gallery, so its viewer is checked too (speech works with nothing installed).
  const made = await fetch(`${server!.url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ task: 'speech', input: { text: '你好，神笔。' } }) });
  assert.equal(made.status, 202, await made.clone().text());
  const { id } = (await made.json()) as { id: string };
  for (let status = ''; status !== 'completed'; ) {
    status = ((await (await fetch(`${server!.url}/api/jobs/${id}`)).json()) as { status: string }).status;
    assert.ok(status !== 'failed' && status !== 'cancelled', `speech job ${status}`);
    if (status !== 'completed') await new Promise((resolve) => setTimeout(resolve, 200));
  }

  const catalog = (await (await fetch(`${server!.url}/api/models`)).json()) as { catalog: { name: string }[] };
  for (const { name } of catalog.catalog) ALLOWED.add(name);
  const problems: string[] = [];
  for (const locale of ['zh-CN', 'en-US'] as const) {
    for (const width of [1280, 390]) {
      const { context, page, errors } = await open(locale, width);
      await page.goto(`${server!.url}/#/text`);
      for (const view of VIEWS) {
        await show(page, view);
        const where = `${locale} ${width}px #/${view.route}${view.mode ? ` (${view.mode})` : ''}`;
        const { scrollWidth, clientWidth } = await horizontalOverflow(page);
        if (scrollWidth > clientWidth) problems.push(`${where}: scrolls sideways (${scrollWidth} > ${clientWidth})`);
        for (const label of await page.evaluate<string[]>(WRAPPED_BUTTONS)) problems.push(`${where}: the button "${label}" wraps`);
        if (locale === 'zh-CN') for (const word of untranslated(await page.evaluate<string[]>(READ_TEXTS))) problems.push(`${where}: untranslated ${word}`);
        if (view.needsModel) {
          const notice = page.getByTestId('model-needed-command');
          const command = (await notice.count()) === 1 ? await notice.textContent() : null;
          if (command !== PULL_DEFAULT) problems.push(`${where}: notice says ${JSON.stringify(command)}`);
          if ((await page.getByTestId('pull-button').count()) !== 1) problems.push(`${where}: no Pull button`);
        } else if ((await page.getByTestId('model-needed').count()) !== 0) {
          problems.push(`${where}: asks for a model although it works offline`);
        }
      }
      if (width === 1280) {
        mkdirSync(ARTIFACTS, { recursive: true });
        await show(page, VIEWS.find((v) => v.route === 'video' && v.mode === undefined)!);
        await page.screenshot({ path: join(ARTIFACTS, `studio-video-${locale}.png`), fullPage: true });
      }
      problems.push(...errors.map((e) => `${locale} ${width}px: page error ${e}`));
      await context.close();
    }
  }
  assert.deepEqual(problems, []);
});

test('each page that needs the text model fails with MODEL_NOT_INSTALLED and the exact pull command, in Chinese too', async () => {
  const { context, page, errors } = await open('zh-CN', 1280);
  await page.goto(`${server!.url}/#/text`);
  const cases: { view: View; submit: string }[] = [
    { view: VIEWS[0]!, submit: '发送' },
    { view: VIEWS.find((v) => v.route === 'npc')!, submit: '发送' },
    { view: VIEWS.find((v) => v.mode === 'blessing')!, submit: '生成' },
    { view: VIEWS.find((v) => v.mode === 'article')!, submit: '生成' },
  ];
  for (const { view, submit } of cases) {
    await show(page, view);
    if (view.mode === 'article') await page.getByRole('textbox', { name: '文章' }).fill('神笔是一个开源的创作工具。它在本机运行。');
    if (view.route === 'text') await page.getByPlaceholder('说点什么…').fill('你好');
    await page.getByRole('button', { name: submit, exact: true }).click();
    const error = page.getByTestId('error');
    await error.waitFor({ timeout: 30_000 });
    const where = `#/${view.route}${view.mode ? ` (${view.mode})` : ''}`;
    assert.equal(await error.locator('.error-code').textContent(), 'MODEL_NOT_INSTALLED', where);
    assert.equal(await page.getByTestId('error-hint').textContent(), PULL_DEFAULT, where);
    assert.equal(await error.getByTestId('pull-button').count(), 1, `${where}: the error offers the pull`);
    // The translated title, with the server's English folded away as detail.
    assert.equal(await error.locator('strong').textContent(), '需要的模型还没有下载', where);
    assert.deepEqual(untranslated(await page.evaluate<string[]>(READ_TEXTS)), [], where);
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('each page opens on what works offline: the music page sings your lyrics, the video page edits your video', async () => {
  const { context, page, errors } = await open('en-US', 1280);
  await page.goto(`${server!.url}/#/video`);
  // The video page opens on idea → short, whose own-script path works offline; editing your video is a click away.
  assert.equal(await page.locator('.segmented label.selected').first().getAttribute('data-mode'), 'short');
  assert.equal(await page.locator('.segmented label[data-mode="own"] [data-testid="badge-offline"]').count(), 1, 'your own script is marked as working offline');
  await page.locator('.segmented label[data-mode="edit"]').click();
  await page.getByTestId('upload-input').waitFor();
  assert.equal(await page.locator('.segmented label.selected').first().getAttribute('data-mode'), 'edit');
  assert.equal(await page.getByRole('combobox', { name: 'Operation' }).inputValue(), 'cover');
  assert.equal(await page.locator('.segmented label[data-mode="article"] [data-testid="badge-model"]').count(), 1, 'article → short is marked as needing a model');

  await page.getByRole('link', { name: 'Music · blessing song' }).click();
  assert.equal(await page.locator('.segmented label.selected').getAttribute('data-mode'), 'lyrics');
  assert.equal(await page.locator('.segmented label[data-mode="blessing"] [data-testid="badge-model"]').count(), 1);
  await page.getByRole('combobox', { name: 'Vocals' }).selectOption('none');
  await page.getByRole('button', { name: 'Generate' }).click();
  await page.locator('[data-testid="result"] audio, [data-testid="error"]').first().waitFor({ timeout: 120_000 });
  assert.equal(await page.getByTestId('error').count(), 0, await page.locator('main').innerText());
  assert.deepEqual(errors, []);
  await context.close();
});

test('the Pull button in an error downloads the model with progress, and the same request then works', async () => {
  const { context, page, errors } = await open('en-US', 1280);
  await page.goto(`${server!.url}/#/text`);
  await fillExactly(page.getByLabel('Model (optional)'), 'stories260k');
  await page.getByPlaceholder('Say something…').fill('Once upon a time');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.getByTestId('error-hint').waitFor({ timeout: 20_000 });
  assert.equal(await page.getByTestId('error-hint').textContent(), 'shenbi models pull stories260k');
  await page.getByTestId('error').getByTestId('pull-button').click();
  // The mirror sends the 1.1 MB slowly enough for the bar to show.
  await page.locator('[data-testid="pull"] [role="progressbar"]').waitFor({ timeout: 10_000 });
  await page.getByTestId('pull-done').waitFor({ timeout: 60_000 });
  assert.ok(mirror!.requests.some((r) => r.path.endsWith('/stories260K.gguf') && r.status < 300), JSON.stringify(mirror!.requests));

  await page.getByPlaceholder('Say something…').fill('Once upon a time');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  const answer = page.locator('.bubble.npc').last();
  await answer.getByTestId('ai-label').waitFor({ timeout: 30_000 });
  assert.deepEqual(errors, []);
  await context.close();
});
