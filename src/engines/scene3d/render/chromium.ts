import { accessSync, constants } from 'node:fs';
import type { Browser } from 'playwright-core';
import { ShenbiError } from '../../../core/errors.ts';

/** Where a system Chromium usually lives (Debian's package first: the one the studio tests drive). */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

const HINT = 'Install Chromium (apt-get install chromium) or set SHENBI_CHROMIUM to a Chromium or Chrome executable.';

/**
 * Software WebGL (SwiftShader) only: the same pixels on every machine, no GPU needed, and no
 * network of any kind (every request is answered by the page's own router).
 */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--mute-audio',
];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The Chromium the renderer would use: the explicit path, else $SHENBI_CHROMIUM, else the first system one found. */
export function findChromium(executablePath?: string): string | undefined {
  const chosen = executablePath ?? process.env.SHENBI_CHROMIUM;
  if (chosen !== undefined && chosen !== '') return isExecutable(chosen) ? chosen : undefined;
  return CANDIDATES.find(isExecutable);
}

type PlaywrightModule = typeof import('playwright-core');

async function loadPlaywright(): Promise<PlaywrightModule | undefined> {
  try {
    return await import('playwright-core');
  } catch {
    return undefined;
  }
}

/** Whether thumbnails and turntables can be rendered here: playwright-core loads and a Chromium executable exists. */
export async function isRendererAvailable(options: { executablePath?: string } = {}): Promise<boolean> {
  return findChromium(options.executablePath) !== undefined && (await loadPlaywright()) !== undefined;
}

/** Launches a headless Chromium for rendering; ENGINE_UNAVAILABLE (with how to fix it) when there is none. */
export async function launchChromium(options: { executablePath?: string; timeoutMs: number }): Promise<Browser> {
  const executablePath = findChromium(options.executablePath);
  if (executablePath === undefined) {
    const asked = options.executablePath ?? process.env.SHENBI_CHROMIUM;
    const what = asked ? `Chromium not found at ${asked}` : `Chromium not found (looked for ${CANDIDATES.join(', ')})`;
    throw new ShenbiError('ENGINE_UNAVAILABLE', `3D preview renderer: ${what}`, { hint: HINT });
  }
  const playwright = await loadPlaywright();
  if (playwright === undefined) throw new ShenbiError('ENGINE_UNAVAILABLE', '3D preview renderer: the playwright-core package is not installed', { hint: 'npm install playwright-core' });
  try {
    return await playwright.chromium.launch({ executablePath, args: ARGS, timeout: options.timeoutMs });
  } catch (error) {
    throw new ShenbiError('ENGINE_UNAVAILABLE', `3D preview renderer: Chromium (${executablePath}) did not start: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, { hint: HINT, cause: error });
  }
}
