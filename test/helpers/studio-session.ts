import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { buildStudio } from '../../src/web/build.ts';
import { startServeProcess, type ServeProcess } from './serve-process.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** Where studio tests leave their screenshots for a person to look at. */
export const TEST_ARTIFACTS = join(REPO, 'test-artifacts');
/** Debian's Chromium, headless, with nothing that reaches the network (platform notes). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync'];

export interface StudioSessionOptions {
  /** Names the temp home and the build folder: other studio tests may be building at the same time. */
  name: string;
  /** Beyond CHROMIUM_ARGS. */
  chromiumArgs?: string[];
  /** Environment of the `shenbi serve` process. */
  env?: Record<string, string>;
  /** Runs before the server starts (a config.json in the home, fake providers). */
  prepare?: (home: string) => Promise<void>;
  /** Runs after the browser and the server have stopped. */
  cleanup?: () => Promise<void>;
}

export interface StudioSession {
  readonly home: string;
  /** The server's base URL, once `before` has run. */
  readonly url: string;
  readonly browser: Browser;
}

/**
 * A studio test file's fixture: builds the studio into its own folder, starts `shenbi serve`
 * on a fresh home with it and launches Chromium (both before the file's tests), and stops and
 * removes everything after them.
 */
export function useStudioSession(options: StudioSessionOptions): StudioSession {
  const home = mkdtempSync(join(tmpdir(), `shenbi-studio-${options.name}-`));
  const build = join(tmpdir(), `shenbi-studio-${options.name}-build`);
  let server: ServeProcess | undefined;
  let browser: Browser | undefined;
  before(async () => {
    await options.prepare?.(home);
    await buildStudio({ outDir: build });
    [server, browser] = await Promise.all([
      startServeProcess({ home, ...(options.env === undefined ? {} : { env: options.env }), args: [join(REPO, 'bin/shenbi.js'), '--json', 'serve', '--port', '0', '--static', build] }),
      chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, ...(options.chromiumArgs ?? [])] }),
    ]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await options.cleanup?.();
    rmSync(home, { recursive: true, force: true });
  });
  return {
    home,
    get url() {
      if (server === undefined) throw new Error('the studio server is not started yet (use it inside a test)');
      return server.url;
    },
    get browser() {
      if (browser === undefined) throw new Error('the browser is not launched yet (use it inside a test)');
      return browser;
    },
  };
}
