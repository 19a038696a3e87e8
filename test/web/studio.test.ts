import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { implicitLabelRecord } from '../../src/governance/implicit-record.ts';
import { openStore } from '../../src/store/index.ts';
import { buildStudio } from '../../src/web/build.ts';
import { runCli } from '../helpers/cli.ts';
import { fillExactly } from '../helpers/fill-exactly.ts';
import { TESTDATA } from '../helpers/testdata.ts';
import { newArtifact } from '../store/fixtures.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const ARTIFACTS = join(REPO, 'test-artifacts');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync'];

interface MediaLike {
  readyState: number;
  duration: number;
  error: { code: number } | null;
  addEventListener(type: string, listener: () => void, options: { once: boolean }): void;
}

const home = mkdtempSync(join(tmpdir(), 'shenbi-studio-'));
let server: ChildProcess | undefined;
let browser: Browser | undefined;
let url = '';

/** Starts `npm start`'s script (studio already built, so it only serves) on a free port; resolves with the printed URL. */
function startServer(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'scripts/start.ts'), '--port', '0'], {
      cwd: REPO,
      env: { ...process.env, SHENBI_HOME: home, SHENBI_TEXT_MODEL: 'stories260k', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server = child;
    let output = '';
    const onData = (chunk: string) => {
      output += chunk;
      const found = /http:\/\/127\.0\.0\.1:\d+/.exec(output);
      if (found) resolve(found[0]);
    };
    child.stdout!.setEncoding('utf8').on('data', onData);
    child.stderr!.setEncoding('utf8').on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited (${code}) before printing its URL:\n${output}`)));
    setTimeout(() => reject(new Error(`no URL after 20 s:\n${output}`)), 20_000).unref();
  });
}

before(async () => {
  const [build, imported] = await Promise.all([
    buildStudio(),
    runCli(['models', 'import', join(TESTDATA, 'stories260K.gguf'), '--name', 'stories260k'], { home }),
  ]);
  assert.equal(imported.status, 0, imported.stderr);
  process.stdout.write(`studio ${build.built ? `built in ${build.ms} ms` : 'build was fresh'}\n`);
  [url, browser] = await Promise.all([startServer(), chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })]);
});

after(async () => {
  await browser?.close();
  // A process killed by a signal has exitCode null too: waiting for its 'exit' would hang.
  if (server && server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((resolve) => server!.once('exit', resolve));
    server.kill('SIGTERM');
    const forced = setTimeout(() => server!.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(forced);
  }
  rmSync(home, { recursive: true, force: true });
});

async function openStudio(route: string, locale: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser!.newContext({ locale, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${url}/#/${route}`);
  return { page, errors };
}

test('the studio synthesizes speech into a playable <audio>, talks to the NPC with voice, and switches language', async () => {
  const { page, errors } = await openStudio('speech', 'zh-CN');
  // navigator.language zh-CN → Chinese UI.
  assert.equal(await page.locator('main h1').textContent(), '语音合成');

  await page.getByRole('button', { name: '生成' }).click();
  const audio = page.locator('[data-testid="result"] audio');
  await audio.waitFor({ timeout: 20_000 });
  const duration = await audio.evaluate(
    (node) =>
      new Promise<number>((resolve, reject) => {
        // Typed by hand: the test's tsconfig has no DOM library.
        const element = node as unknown as MediaLike;
        if (element.readyState >= 1) resolve(element.duration);
        element.addEventListener('loadedmetadata', () => resolve(element.duration), { once: true });
        element.addEventListener('error', () => reject(new Error(`audio error ${element.error?.code}`)), { once: true });
      }),
  );
  assert.ok(Number.isFinite(duration) && duration > 0.5, `audio duration ${duration}`);
  assert.ok(await page.getByTestId('ai-label').first().isVisible(), 'the result is marked AI-generated');

  // The NPC: the reply appears, with its spoken audio.
  await page.getByRole('link', { name: 'NPC 语音对话' }).click();
  await page.getByRole('button', { name: '发送' }).click();
  const reply = page.getByTestId('npc-reply').last();
  await page.locator('[data-testid="npc-reply"], [data-testid="error"]').first().waitFor({ timeout: 30_000 });
  assert.equal(await page.getByTestId('error').count(), 0, await page.locator('main').innerText());
  assert.ok(((await reply.locator('p').textContent()) ?? '').trim().length > 0, 'the NPC said something');
  const voice = reply.locator('audio');
  assert.equal(await voice.count(), 1);
  const src = await voice.getAttribute('src');
  assert.match(src ?? '', /^\/api\/artifacts\/art_/);
  const spoken = await page.evaluate(async (path) => (await fetch(path!)).headers.get('content-type'), src);
  assert.equal(spoken, 'audio/wav');
  // Its sentences played as they were voiced (step.partial over SSE), so the whole reply waits for a click.
  assert.equal(await voice.getAttribute('data-streamed'), 'true');
  assert.equal(await voice.evaluate((el) => (el as unknown as { autoplay: boolean }).autoplay), false);

  // Switch the UI to English; the page stays where it was, with the conversation.
  await page.getByTestId('language-switch').click();
  assert.equal(await page.locator('main h1').textContent(), 'NPC voice chat');
  assert.equal(await page.getByTestId('npc-reply').count(), 1);
  assert.equal(await page.evaluate('document.documentElement.lang'), 'en');

  mkdirSync(ARTIFACTS, { recursive: true });
  const shot = join(ARTIFACTS, 'studio-npc.png');
  await page.screenshot({ path: shot, fullPage: true });
  process.stdout.write(`screenshot: ${shot}\n`);
  assert.deepEqual(errors, [], 'no uncaught errors in the page');
});

test('text chat streams a reply from /v1; the gallery shows what was made with its labels and provenance', async () => {
  const { page, errors } = await openStudio('text', 'en-US');
  await fillExactly(page.getByLabel('Model (optional)'), 'stories260k');
  await page.getByPlaceholder('Say something…').fill('Once upon a time');
  await page.getByRole('button', { name: 'Send' }).click();
  const answer = page.locator('.bubble.npc').last();
  // Either the labeled answer or an error; on a loaded machine the first reply also loads the model.
  await answer.getByTestId('ai-label').or(page.getByTestId('error')).first().waitFor({ timeout: 60_000 });
  assert.equal(await page.getByTestId('error').count(), 0, `the chat failed: ${await page.getByTestId('error').allTextContents()}`);
  await answer.getByTestId('ai-label').waitFor({ timeout: 5_000 });
  assert.ok(((await answer.locator('p').textContent()) ?? '').replace('…', '').trim().length > 0, 'the model answered');

  await page.getByRole('link', { name: 'Gallery' }).click();
  await page.getByTestId('gallery-job').first().waitFor({ timeout: 10_000 });
  assert.ok((await page.getByTestId('gallery-job').count()) >= 2, 'the speech and NPC jobs are in the gallery');
  const wav = page.locator('figure[data-mime="audio/wav"]').first();
  await wav.locator('details summary').click();
  assert.match((await wav.getByTestId('artifact-labels').textContent()) ?? '', /aigc-implicit/);
  assert.match((await wav.getByTestId('artifact-provenance').textContent()) ?? '', /Engine/);
  assert.deepEqual(errors, []);
});

test('text chat keeps answering past the model context (history trimmed, with a note); New chat clears it', async () => {
  const { page, errors } = await openStudio('text', 'en-US');
  await fillExactly(page.getByLabel('Model (optional)'), 'stories260k');
  await page.getByLabel('Max reply tokens').fill('300');
  const long = 'Once upon a time there was a little cat who liked to play in the garden with her friends. '.repeat(8);
  // stories260K holds 2048 tokens: six long turns outgrow it, and every turn still gets an answer.
  for (let turn = 1; turn <= 6; turn++) {
    await page.getByPlaceholder('Say something…').fill(`${turn}. ${long}`);
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('.bubble.npc').nth(turn - 1).getByTestId('ai-label').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Send' }).waitFor({ timeout: 30_000 });
  }
  assert.equal(await page.getByTestId('error').count(), 0, 'no error');
  assert.match((await page.getByRole('status').filter({ hasText: 'oldest messages' }).textContent()) ?? '', /The \d+ oldest messages no longer fit the model's context \(2048 tokens\)/);
  await page.getByRole('button', { name: 'New chat' }).click();
  assert.equal(await page.locator('.bubble').count(), 0);
  assert.deepEqual(errors, []);
});

test('a page that needs a missing model shows the exact pull command from the server', async () => {
  const { page } = await openStudio('music', 'en-US');
  assert.equal(await page.locator('main h1').textContent(), 'Music · blessing song');
  // The page opens on the offline song-from-lyrics; the blessing song's lyrics need a text model.
  await page.locator('.segmented label[data-mode="blessing"]').click();
  await fillExactly(page.getByLabel('Model (optional)'), 'qwen2.5-0.5b-instruct');
  await page.getByRole('button', { name: 'Generate' }).click();
  const hint = page.getByTestId('error-hint');
  await hint.waitFor({ timeout: 20_000 });
  assert.equal(await hint.textContent(), 'shenbi models pull qwen2.5-0.5b-instruct');
  assert.match((await page.getByTestId('error').textContent()) ?? '', /MODEL_NOT_INSTALLED/);
});

test('your own video: pick a file, it uploads (progress), fills the source with upl_…, and the cover edit runs on it', async () => {
  const clip = join(home, 'my-clip.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-t', '1', '-pix_fmt', 'yuv420p', clip]);
  const { page, errors } = await openStudio('video', 'en-US');
  await page.getByText('Edit my video').click();
  await page.getByTestId('upload-input').setInputFiles(clip);
  const source = page.getByLabel(/^Source video/);
  for (const deadline = Date.now() + 10_000; !(await source.inputValue()).startsWith('upl_') && Date.now() < deadline; ) await page.waitForTimeout(100);
  assert.match(await source.inputValue(), /^upl_[0-9a-z]{26}$/);
  await page.getByRole('combobox', { name: 'Operation' }).selectOption('cover');
  await page.getByRole('button', { name: 'Generate' }).click();
  await page.locator('[data-testid="result"] img, [data-testid="error"]').first().waitFor({ timeout: 30_000 });
  assert.equal(await page.getByTestId('error').count(), 0, await page.locator('main').innerText());
  assert.ok(await page.getByTestId('ai-label').first().isVisible(), 'the cover is marked AI-generated');
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'studio-video-upload.png'), fullPage: true });
  assert.deepEqual(errors, []);
});

test('the gallery deletes an artifact after a confirm step; cancel keeps it', async () => {
  // Made beside the running server, in the same home (SQLite and blobs are shared safely).
  const store = await openStore({ database: `sqlite:${join(home, 'shenbi.db')}`, blobsDir: join(home, 'blobs'), governance: implicitLabelRecord('Shenbi') });
  const artifact = await store.artifacts.put(newArtifact(`to be deleted ${Date.now()}`));
  await store.close();
  const { page, errors } = await openStudio('gallery', 'en-US');
  const item = page.locator(`[data-artifact-id="${artifact.id}"]`);
  await item.waitFor({ timeout: 10_000 });
  await item.getByTestId('delete-artifact').click();
  await item.getByRole('button', { name: 'Cancel' }).click();
  await item.getByTestId('delete-artifact').click();
  assert.match((await item.getByRole('alertdialog').textContent()) ?? '', /provenance record stays/);
  await item.getByTestId('delete-artifact-confirm').click();
  await item.waitFor({ state: 'detached', timeout: 10_000 });
  const gone = await fetch(`${url}/api/artifacts/${artifact.id}/meta`);
  assert.equal(gone.status, 404);
  assert.deepEqual(errors, []);
});
