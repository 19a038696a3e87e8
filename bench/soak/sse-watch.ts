import { describe, type SoakHttp } from './http.ts';
import type { SoakRecorder } from './recorder.ts';
import type { TenantKey } from './server-process.ts';

export type WatchOutcome =
  /** The final event arrived and the server closed the stream. */
  | { kind: 'final'; event: 'result' | 'error'; data: unknown; events: number }
  /** The stream ended (or broke) with no final event. */
  | { kind: 'early'; reason: string; events: number }
  /** Aborted by the soak: still open when its grace ran out. */
  | { kind: 'hung'; events: number }
  /** The request itself was refused or failed (already counted). */
  | { kind: 'refused'; events: 0 };

/**
 * Follows `GET /api/jobs/:id/events` to its end, counting events; `abort` is signalled by the
 * soak when the stream overstays its grace.
 */
export async function watchJob(http: SoakHttp, recorder: SoakRecorder, key: TenantKey, jobId: string, abort: AbortSignal): Promise<WatchOutcome> {
  const route = 'GET /api/jobs/:id/events';
  recorder.counts.sse.opened++;
  const response = await http.open(route, key, `/api/jobs/${jobId}/events`, { headers: { accept: 'text/event-stream' } }, undefined, abort);
  if (response === undefined) return { kind: 'refused', events: 0 };
  if (response.status !== 200 || response.body === null) {
    recorder.error(route, `status ${response.status}: ${(await response.text().catch(() => '')).slice(0, 300)}`);
    return { kind: 'refused', events: 0 };
  }
  let events = 0;
  let final: { event: 'result' | 'error'; data: unknown } | undefined;
  let buffer = '';
  try {
    for await (const chunk of response.body.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.startsWith(':')) continue; // keepalive
        events++;
        recorder.counts.sse.events++;
        const lines = block.split('\n');
        const name = lines.find((l) => l.startsWith('event:'))?.slice(6).trim() ?? 'message';
        const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, '')).join('\n');
        if (final !== undefined) recorder.error(route, `event "${name}" after the final "${final.event}" of ${jobId}`);
        if (name === 'result' || name === 'error') final = { event: name, data: parseJson(data) };
      }
    }
  } catch (error) {
    if (abort.aborted) return { kind: 'hung', events };
    return { kind: 'early', reason: describe(error), events };
  }
  if (final === undefined) return { kind: 'early', reason: 'the stream closed without a "result" or "error" event', events };
  return { kind: 'final', ...final, events };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
