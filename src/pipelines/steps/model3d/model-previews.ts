import { ShenbiError } from '../../../core/errors.ts';
import type { StepContext } from '../../../core/step.ts';
import { isRendererAvailable, renderPreviews, type RenderedPreviews } from '../../../engines/scene3d/render/index.ts';

/**
 * A PNG thumbnail (and an MP4 turntable when asked) of a built model, drawn by headless
 * Chromium. Previews are extras: without a Chromium, or when drawing fails, the step says so in
 * its progress and goes on with the model alone. Only cancellation stops it.
 */
export async function modelPreviews(ctx: Pick<StepContext, 'progress' | 'signal'>, glb: Uint8Array, turntable: boolean): Promise<RenderedPreviews | undefined> {
  if (!(await isRendererAvailable())) {
    ctx.progress({ fraction: 0.9, message: 'warning: no thumbnail: no Chromium found for the 3D preview renderer (install chromium or set SHENBI_CHROMIUM)' });
    return undefined;
  }
  ctx.progress({ fraction: 0.8, message: turntable ? 'rendering thumbnail and turntable' : 'rendering thumbnail' });
  try {
    return await renderPreviews(glb, { turntable, signal: ctx.signal });
  } catch (error) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const reason = error instanceof ShenbiError ? error.message : String(error);
    ctx.progress({ fraction: 0.9, message: `warning: no thumbnail: ${reason}` });
    return undefined;
  }
}
