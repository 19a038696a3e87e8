/**
 * The AI SDK's Replicate image model asks for a synchronous prediction (`Prefer: wait`) and
 * reads `output` from that one answer. Replicate holds the request at most 60 s, so a slower
 * model answers with `status: "starting" | "processing"` and no output, which the SDK rejects.
 * This fetch finishes the job the documented way: it polls the prediction's `urls.get` until
 * it succeeds, fails or is canceled, and hands the SDK the final prediction.
 */
const RUNNING = new Set(['starting', 'processing']);

interface Prediction {
  status?: string;
  error?: unknown;
  urls?: { get?: string };
}

export interface ReplicatePollingOptions {
  /** Between polls; Replicate suggests about a second. */
  intervalMs?: number;
  timeoutMs?: number;
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

function sleep(ms: number, signal: AbortSignal | null | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(timer); reject(signal?.reason); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const json = (body: unknown, status: number) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

export function replicatePollingFetch(baseURL: string, options: ReplicatePollingOptions = {}, inner: typeof fetch = fetch): typeof fetch {
  const intervalMs = options.intervalMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  return async (input, init) => {
    const response = await inner(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (init?.method !== 'POST' || !/\/predictions$/.test(new URL(url).pathname) || !response.ok) return response;
    let prediction = (await response.clone().json().catch(() => null)) as Prediction | null;
    if (prediction === null || !RUNNING.has(String(prediction.status))) return finalAnswer(prediction, response);
    const started = Date.now();
    // The poll URL comes from the response: the key goes only to the configured origin.
    const headers = init.headers;
    while (prediction && RUNNING.has(String(prediction.status))) {
      const pollUrl = prediction.urls?.get;
      if (!pollUrl) return json({ detail: 'Replicate prediction is still running and gave no poll URL' }, 502);
      if (Date.now() - started > timeoutMs) return json({ detail: `Replicate prediction did not finish in ${Math.round(timeoutMs / 1000)} s` }, 504);
      await sleep(intervalMs, init.signal);
      const polled = await inner(pollUrl, { method: 'GET', signal: init.signal ?? null, ...(sameOrigin(pollUrl, baseURL) ? { headers } : {}) });
      if (!polled.ok) return polled;
      prediction = (await polled.json()) as Prediction;
    }
    return finalAnswer(prediction, json(prediction, 201));
  };
}

/** A failed or canceled prediction becomes an error answer the SDK reports with Replicate's message. */
function finalAnswer(prediction: Prediction | null, response: Response): Response {
  if (prediction?.status === 'failed') return json({ detail: `Replicate prediction failed: ${String(prediction.error ?? 'no reason given')}` }, 422);
  if (prediction?.status === 'canceled') return json({ detail: 'Replicate prediction was canceled' }, 409);
  return response;
}
