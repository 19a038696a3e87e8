import type { Browser, Page } from 'playwright-core';
import { z } from 'zod';
import { ShenbiError } from '../../../core/errors.ts';
import { launchChromium } from './chromium.ts';
import { encodePngFramesToMp4 } from './encode-mp4.ts';
import { RENDER_ORIGIN, routeRenderPage } from './render-page.ts';

const RenderOptionsSchema = z.object({
  width: z.number().int().min(64).max(2048).default(512),
  height: z.number().int().min(64).max(2048).default(512),
  /** Neutral light grey: reads as "background" next to any material colour, and under the visible label. */
  background: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a #rrggbb colour').default('#e8e8e4'),
  /** Chromium to drive; default $SHENBI_CHROMIUM, else the system one. */
  executablePath: z.string().min(1).optional(),
  /** The whole render, launch included. */
  timeoutMs: z.number().int().positive().max(600_000).optional(),
});

const TurntableOptionsSchema = RenderOptionsSchema.extend({
  seconds: z.number().min(1).max(20).default(4),
  fps: z.number().int().min(1).max(60).default(24),
});

export type RenderOptions = z.input<typeof RenderOptionsSchema> & { signal?: AbortSignal };
export type TurntableOptions = z.input<typeof TurntableOptionsSchema> & { signal?: AbortSignal };

const THUMBNAIL_TIMEOUT_MS = 60_000;
/** Software WebGL on a loaded 2-core machine: generous, the job's own deadline still applies. */
const TURNTABLE_TIMEOUT_MS = 240_000;
const MAX_GLB_BYTES = 256 * 1024 * 1024;

function parse<T extends z.ZodType>(schema: T, options: unknown): z.output<T> {
  const parsed = schema.safeParse(options);
  if (!parsed.success) throw new ShenbiError('INVALID_INPUT', `3D preview options: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

function checkGlb(glb: Uint8Array): void {
  const magic = glb.length >= 12 ? new DataView(glb.buffer, glb.byteOffset, glb.byteLength).getUint32(0, true) : 0;
  if (magic !== 0x46546c67) throw new ShenbiError('MEDIA_INVALID', '3D preview: the model is not a GLB file');
  if (glb.length > MAX_GLB_BYTES) throw new ShenbiError('MEDIA_INVALID', `3D preview: the model is larger than ${MAX_GLB_BYTES / 1024 / 1024} MB`);
}

/** Draws one view, `turn` revolutions around the model from the start view; PNG bytes. */
type DrawFrame = (turn: number) => Promise<Uint8Array>;

async function drawFrame(page: Page, turn: number): Promise<Uint8Array> {
  const url = await page.evaluate<string>(`window.shenbiFrame(${JSON.stringify(turn)})`);
  const prefix = 'data:image/png;base64,';
  if (typeof url !== 'string' || !url.startsWith(prefix)) throw new ShenbiError('ENGINE_FAILED', '3D preview: the page returned no image');
  return new Uint8Array(Buffer.from(url.slice(prefix.length), 'base64'));
}

/**
 * Opens the model in a fresh headless Chromium (one per call: the launch is ~0.5 s, and nothing
 * is shared between jobs), runs `use`, and closes the browser whatever happens. The timeout and
 * the caller's signal both close the browser, which ends any drawing in flight.
 */
async function withModelPage<T>(glb: Uint8Array, options: z.output<typeof RenderOptionsSchema>, defaultTimeoutMs: number, signal: AbortSignal | undefined, use: (draw: DrawFrame, signal: AbortSignal) => Promise<T>): Promise<T> {
  checkGlb(glb);
  signal?.throwIfAborted();
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const deadline = AbortSignal.timeout(timeoutMs);
  const stop = signal ? AbortSignal.any([signal, deadline]) : deadline;
  let browser: Browser | undefined;
  const onStop = () => void browser?.close().catch(() => undefined);
  stop.addEventListener('abort', onStop, { once: true });
  try {
    browser = await launchChromium({ timeoutMs, ...(options.executablePath ? { executablePath: options.executablePath } : {}) });
    if (stop.aborted) onStop();
    const context = await browser.newContext({ viewport: { width: options.width, height: options.height }, deviceScaleFactor: 1 });
    await routeRenderPage(context, { width: options.width, height: options.height, background: options.background }, glb);
    const page = await context.newPage();
    await page.goto(`${RENDER_ORIGIN}/`, { timeout: timeoutMs });
    await page.waitForFunction('window.shenbiState !== undefined', undefined, { timeout: timeoutMs });
    const state = await page.evaluate<string>('window.shenbiState');
    if (state !== 'ready') throw new ShenbiError('MEDIA_INVALID', `3D preview: cannot draw the model: ${state.replace(/^error: /, '')}`);
    return await use((turn) => drawFrame(page, turn), stop);
  } catch (error) {
    if (deadline.aborted) throw new ShenbiError('ENGINE_TIMEOUT', `3D preview: rendering took longer than ${Math.round(timeoutMs / 1000)} s`, { cause: error });
    if (signal?.aborted) throw new ShenbiError('JOB_CANCELLED', 'The operation was cancelled.', { cause: error });
    throw error;
  } finally {
    stop.removeEventListener('abort', onStop);
    await browser?.close().catch(() => undefined);
  }
}

/** A PNG of the model from its 3/4 start view (the one the studio's viewer opens on). */
export async function renderThumbnail(glb: Uint8Array, options: RenderOptions = {}): Promise<Uint8Array> {
  const { signal, ...rest } = options;
  const parsed = parse(RenderOptionsSchema, rest);
  return withModelPage(glb, parsed, THUMBNAIL_TIMEOUT_MS, signal, (draw) => draw(0));
}

async function* turntableFrames(draw: DrawFrame, count: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < count; i += 1) yield await draw(i / count);
}

/** An MP4 of one full revolution around the model, starting and ending at the thumbnail's view (loops seamlessly). */
export async function renderTurntable(glb: Uint8Array, options: TurntableOptions = {}): Promise<Uint8Array> {
  const { signal, ...rest } = options;
  const parsed = parse(TurntableOptionsSchema, rest);
  const count = Math.round(parsed.seconds * parsed.fps);
  return withModelPage(glb, parsed, TURNTABLE_TIMEOUT_MS, signal, (draw, stop) => encodePngFramesToMp4(turntableFrames(draw, count), { fps: parsed.fps, signal: stop }));
}

export interface RenderedPreviews {
  thumbnail: Uint8Array;
  turntable?: Uint8Array;
}

/** Thumbnail and (optionally) turntable from one Chromium launch: what the model3d steps call. */
export async function renderPreviews(glb: Uint8Array, options: TurntableOptions & { turntable?: boolean } = {}): Promise<RenderedPreviews> {
  const { signal, turntable, ...rest } = options;
  const parsed = parse(TurntableOptionsSchema, rest);
  const count = Math.round(parsed.seconds * parsed.fps);
  return withModelPage(glb, parsed, turntable ? TURNTABLE_TIMEOUT_MS : THUMBNAIL_TIMEOUT_MS, signal, async (draw, stop) => {
    const thumbnail = await draw(0);
    if (!turntable) return { thumbnail };
    return { thumbnail, turntable: await encodePngFramesToMp4(turntableFrames(draw, count), { fps: parsed.fps, signal: stop }) };
  });
}
