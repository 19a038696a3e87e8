/**
 * Implicit labels for large files on the worker pool: the in-memory carriers copy (and for
 * PNG checksum) the whole file, ≈130 ms for a 32 MB WAV and ≈300 ms for a 24 MB PNG, which
 * would stall the event loop. MP4 and Ogg already go through ffmpeg; small files stay here.
 */
import { offThreadTask, runOffThread } from '../../workers/off-thread.ts';
import { ownBuffer } from '../../workers/transferables.ts';
import * as embedding from './embed.ts';
import type { ImplicitLabelPayload } from './payload.ts';
import { containerForMime } from './sniff.ts';
import type { Container, EmbeddedLabel } from './types.ts';

/** From this size the copy to a worker costs less than the embedding would block. */
const OFF_THREAD_MIN_BYTES = 1 << 20;
const IN_MEMORY: ReadonlySet<Container> = new Set<Container>(['png', 'jpeg', 'webp', 'mp3', 'wav', 'flac', 'glb', 'midi', 'stl', '3mf', 'usdz']);

const embedTask = offThreadTask(new URL('./embed.ts', import.meta.url), embedding, 'embedImplicitLabel');

/** `embedImplicitLabel`, on the worker pool for large in-memory containers. */
export function embedImplicitLabelOffThread(bytes: Uint8Array, mimeType: string, payload: ImplicitLabelPayload, signal?: AbortSignal): Promise<EmbeddedLabel> {
  const inline = bytes.byteLength < OFF_THREAD_MIN_BYTES || !IN_MEMORY.has(containerForMime(mimeType));
  // A view of part of a larger buffer would carry the whole buffer across: send its bytes alone.
  const whole = inline || ownBuffer(bytes) !== undefined ? bytes : bytes.slice();
  return runOffThread(embedTask, [whole, mimeType, payload], { inline, ...(signal === undefined ? {} : { signal }) });
}
