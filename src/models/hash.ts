import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Feeds a file's bytes into `hash` (streamed: model files can be gigabytes). */
export async function hashFileInto(hash: Hash, path: string, signal?: AbortSignal): Promise<number> {
  let bytes = 0;
  const stream = createReadStream(path, { highWaterMark: 1 << 20, ...(signal === undefined ? {} : { signal }) });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.byteLength;
  }
  return bytes;
}

export async function sha256File(path: string, signal?: AbortSignal): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  const size = await hashFileInto(hash, path, signal);
  return { sha256: hash.digest('hex'), size };
}
