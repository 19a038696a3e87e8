/**
 * Implicit labels for large files on the worker pool: the in-memory audio and 3D carriers
 * rework the whole file, ≈130 ms for a 32 MB WAV, which would stall the event loop.
 * Ogg goes through ffmpeg; MP4 is edited in memory (mp4-udta.ts: one copy, like the image
 * carriers below) or remuxed; small files stay here.
 */
import { offThreadTask, runOffThread } from '../../workers/off-thread.ts';
import { ownBuffer } from '../../workers/transferables.ts';
import * as embedding from './embed.ts';
import type { ImplicitLabelPayload } from './payload.ts';
import { containerForMime } from './sniff.ts';
import type { Container, EmbeddedLabel } from './types.ts';

/** From this size the copy to a worker costs less than the embedding would block. */
const OFF_THREAD_MIN_BYTES = 1 << 20;
const IN_MEMORY: ReadonlySet<Container> = new Set<Container>(['mp3', 'wav', 'flac', 'glb', 'midi', 'stl', '3mf', 'usdz']);
/*
 * PNG, JPEG and WebP are chunk/segment splices: one copy of the file, never a pass over the
 * pixels. Sending them to a worker copies the file on this thread anyway (structured clone)
 * and adds the hop (measured 30–75 ms warm for a 6 MB PNG against 7–17 ms here, under load),
 * so they stay in this thread at any size.
 */

const embedTask = offThreadTask(new URL('./embed.ts', import.meta.url), embedding, 'embedImplicitLabel');

/**
 * `embedImplicitLabel`, on the worker pool for large in-memory containers. With `move` (the
 * caller never reads `bytes` again) a whole buffer goes to the worker without a copy.
 */
export function embedImplicitLabelOffThread(bytes: Uint8Array, mimeType: string, payload: ImplicitLabelPayload, { signal, move = false }: { signal?: AbortSignal; move?: boolean } = {}): Promise<EmbeddedLabel> {
  const inline = bytes.byteLength < OFF_THREAD_MIN_BYTES || !IN_MEMORY.has(containerForMime(mimeType));
  const own = ownBuffer(bytes);
  // A view of part of a larger buffer would carry the whole buffer across: send its bytes alone.
  const whole = inline || own !== undefined ? bytes : bytes.slice();
  const transfer = !inline && move && own !== undefined ? { transfer: [own] } : {};
  return runOffThread(embedTask, [whole, mimeType, payload], { inline, ...transfer, ...(signal === undefined ? {} : { signal }) });
}
