import { setTimeout as sleep } from 'node:timers/promises';
import { errorCode, type SoakHttp } from './http.ts';
import { jobMix, upload, WAV, type JobKind } from './job-mix.ts';
import type { SoakRecorder } from './recorder.ts';
import { TEXT_MODEL, type TenantKey } from './server-process.ts';
import { watchJob, type WatchOutcome } from './sse-watch.ts';

interface InFlightJob {
  id: string;
  key: TenantKey;
  kind: string;
  watch: AbortController;
  cancelledBySoak: boolean;
}

export interface LoadPlan {
  /** Jobs kept in flight. */
  concurrency: number;
  /** Chat clients. */
  chats: number;
}

export interface JobLimits {
  /** A job running longer is an error and is cancelled. */
  timeoutMs: number;
  /** After a cancel, its stream must end within this. */
  graceMs: number;
}

/** After a failed request a worker waits this long, so a dead server is not hammered in a tight loop. */
const BACKOFF_MS = 1000;
const CHAT_PROMPTS = ['Once upon a time', 'The little dog', 'Lily wanted to', 'One day a bird'];

/**
 * The mixed load: `concurrency` job slots, each submitting the next job of the mix, watching
 * its SSE stream to the end, checking the job record agrees, and downloading its first
 * artifact; `chats` chat clients (streamed and not, alternating); one client that uploads,
 * reads and deletes a WAV and lists jobs. Tenants alternate. Runs until `stop()`, then
 * `finish()` drains, cancels what is left and calls still-open streams hung.
 */
export class SoakLoad {
  readonly #http: SoakHttp;
  readonly #recorder: SoakRecorder;
  readonly #keys: [TenantKey, TenantKey];
  readonly #mix: JobKind[];
  readonly #inFlight = new Map<string, InFlightJob>();
  readonly #workers: Promise<void>[] = [];
  #stopped = false;
  /** Set once the drain ran out: a job submitted after that is cancelled at once. */
  #cancelOnSubmit = false;
  #next = 0;

  readonly #limits: JobLimits;

  constructor(http: SoakHttp, recorder: SoakRecorder, keys: [TenantKey, TenantKey], limits: JobLimits) {
    this.#http = http;
    this.#recorder = recorder;
    this.#keys = keys;
    this.#limits = limits;
    this.#mix = jobMix(http, recorder);
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** One job of each given kind, one at a time, before measuring: first-use costs (model load, eSpeak start) stay out of the baseline. */
  async warmUp(kinds: string[]): Promise<void> {
    await this.#chat(0, this.#keys[0]);
    for (const name of kinds) {
      const kind = this.#mix.find((k) => k.name === name);
      if (kind !== undefined) await this.#runJob(kind, this.#next++, this.#keys[0]);
    }
  }

  start(plan: LoadPlan): void {
    for (let i = 0; i < plan.concurrency; i++) this.#workers.push(this.#jobSlot());
    for (let i = 0; i < plan.chats; i++) this.#workers.push(this.#chatClient(i));
    this.#workers.push(this.#housekeeping());
  }

  /** Stops submitting; work in flight carries on. */
  stop(): void {
    this.#stopped = true;
  }

  /**
   * Waits up to `drainMs` for the jobs in flight, cancels the rest, then gives every stream
   * `graceMs` to end before aborting it as hung.
   */
  async finish(drainMs: number, graceMs: number): Promise<void> {
    this.stop();
    const all = Promise.all(this.#workers);
    if (await settlesWithin(all, drainMs)) return;
    this.#cancelOnSubmit = true;
    await Promise.all([...this.#inFlight.values()].map((job) => this.#cancel(job)));
    if (await settlesWithin(all, graceMs)) return;
    for (const job of this.#inFlight.values()) job.watch.abort();
    await all;
  }

  async #jobSlot(): Promise<void> {
    while (!this.#stopped) {
      const n = this.#next++;
      const kind = this.#mix[n % this.#mix.length]!;
      const ok = await this.#runJob(kind, n, this.#keys[n % 2]!);
      if (!ok) await sleep(BACKOFF_MS);
    }
  }

  /** Submits, watches and checks one job; false when a request failed. */
  async #runJob(kind: JobKind, n: number, key: TenantKey): Promise<boolean> {
    const recorder = this.#recorder;
    const body = await kind.body(n, key);
    if (body === undefined) return false;
    if (this.#stopped) return true; // the load ended during its upload
    const submittedAt = performance.now();
    const submitted = await this.#http.call('POST /api/jobs', key, '/api/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, [202]);
    const id = (submitted?.body as { id?: unknown } | undefined)?.id;
    if (submitted?.status !== 202 || typeof id !== 'string') return false;
    recorder.counts.jobs.submitted++;
    recorder.kind(kind.name).submitted++;
    const job: InFlightJob = { id, key, kind: kind.name, watch: new AbortController(), cancelledBySoak: false };
    this.#inFlight.set(id, job);
    // Overdue: an error in itself; cancelled, and its stream aborted as hung if the cancel does not end it.
    let hangTimer: NodeJS.Timeout | undefined;
    const overdueTimer = setTimeout(() => {
      recorder.error(`job ${id} (${kind.name})`, `still running ${this.#limits.timeoutMs / 1000} s after submission; cancelled`);
      void this.#cancel(job);
      hangTimer = setTimeout(() => job.watch.abort(), this.#limits.graceMs);
    }, this.#limits.timeoutMs);
    try {
      if (this.#cancelOnSubmit) void this.#cancel(job);
      const outcome = await watchJob(this.#http, recorder, key, id, job.watch.signal);
      const durationMs = performance.now() - submittedAt;
      clearTimeout(overdueTimer);
      clearTimeout(hangTimer);
      await this.#settle(job, outcome, durationMs);
      return outcome.kind === 'final';
    } finally {
      clearTimeout(overdueTimer);
      clearTimeout(hangTimer);
      this.#inFlight.delete(id);
    }
  }

  async #settle(job: InFlightJob, outcome: WatchOutcome, durationMs: number): Promise<void> {
    const recorder = this.#recorder;
    const where = `job ${job.id} (${job.kind})`;
    if (outcome.kind === 'early') {
      recorder.counts.sse.endedEarly++;
      recorder.error(where, `SSE ended early after ${outcome.events} events: ${outcome.reason}`);
    } else if (outcome.kind === 'hung') {
      recorder.counts.sse.hung++;
      recorder.error(where, `SSE still open ${outcome.events} events in, after the job was cancelled and the grace ran out; aborted`);
    }
    if (outcome.kind === 'refused') return;
    if (outcome.kind === 'final') recorder.counts.sse.endedProperly++;
    // The record must agree with what the stream said.
    const record = await this.#http.call('GET /api/jobs/:id', job.key, `/api/jobs/${job.id}`, {}, [200]);
    const status = (record?.body as { status?: unknown } | undefined)?.status;
    if (outcome.kind !== 'final') return;
    if (outcome.event === 'result') {
      if (record !== undefined && status !== 'completed') recorder.error(where, `SSE said result, the record says ${String(status)}`);
      recorder.counts.jobs.completed++;
      const kind = recorder.kind(job.kind);
      kind.completed++;
      kind.durationsMs.push(durationMs);
      await this.#downloadFirstArtifact(job, outcome.data);
      return;
    }
    const code = errorCode(outcome.data) ?? 'UNKNOWN';
    if (record !== undefined && status !== 'failed' && status !== 'cancelled') recorder.error(where, `SSE said error ${code}, the record says ${String(status)}`);
    if (code === 'JOB_CANCELLED' && job.cancelledBySoak) {
      recorder.counts.jobs.cancelledBySoak++;
      return;
    }
    recorder.counts.jobs.failed++;
    recorder.counts.jobs.failureCodes[code] = (recorder.counts.jobs.failureCodes[code] ?? 0) + 1;
    const message = (outcome.data as { error?: { message?: unknown } } | undefined)?.error?.message;
    recorder.error(where, `failed ${code}: ${String(message)}`);
  }

  /** Reads the first output artifact's bytes to the end; their count must match the metadata. */
  async #downloadFirstArtifact(job: InFlightJob, result: unknown): Promise<void> {
    const artifact = (result as { artifacts?: { url?: unknown; size?: unknown }[] } | undefined)?.artifacts?.[0];
    if (artifact === undefined || typeof artifact.url !== 'string') {
      this.#recorder.error(`job ${job.id} (${job.kind})`, 'completed with no artifact in its result');
      return;
    }
    const route = 'GET /api/artifacts/:id';
    const response = await this.#http.open(route, job.key, artifact.url, {}, 120_000);
    if (response === undefined) return;
    if (response.status !== 200 || response.body === null) {
      this.#recorder.error(route, `status ${response.status} for ${artifact.url}`);
      return;
    }
    let bytes = 0;
    try {
      for await (const chunk of response.body) bytes += (chunk as Uint8Array).byteLength;
    } catch (error) {
      this.#recorder.error(route, `reading ${artifact.url}: ${String(error)}`);
      return;
    }
    this.#recorder.counts.artifactBytes += bytes;
    if (bytes !== artifact.size) this.#recorder.error(route, `${artifact.url}: ${bytes} bytes read, ${String(artifact.size)} announced`);
  }

  async #cancel(job: InFlightJob): Promise<void> {
    job.cancelledBySoak = true;
    // 409 JOB_NOT_CANCELLABLE: it ended between the soak's look and the cancel; its stream says how.
    await this.#http.call('POST /api/jobs/:id/cancel', job.key, `/api/jobs/${job.id}/cancel`, { method: 'POST' }, [200], (r) => r.status === 409 && errorCode(r.body) === 'JOB_NOT_CANCELLABLE');
  }

  async #chatClient(client: number): Promise<void> {
    for (let n = client; !this.#stopped; n += 1) {
      const ok = await this.#chat(n, this.#keys[n % 2]!);
      if (!ok) await sleep(BACKOFF_MS);
    }
  }

  /** One chat completion, streamed on odd n; false when it failed. */
  async #chat(n: number, key: TenantKey): Promise<boolean> {
    const stream = n % 2 === 1;
    const body = { model: TEXT_MODEL, messages: [{ role: 'user', content: CHAT_PROMPTS[n % CHAT_PROMPTS.length] }], max_tokens: 48, temperature: 0.8, seed: n, ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}) };
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    if (!stream) {
      const route = 'POST /v1/chat/completions';
      const result = await this.#http.call(route, key, '/v1/chat/completions', init, [200]);
      if (result?.status !== 200) return false;
      const reply = result.body as { choices?: { message?: { content?: unknown } }[]; usage?: { completion_tokens?: unknown } };
      if (typeof reply.choices?.[0]?.message?.content !== 'string') {
        this.#recorder.error(route, `no message content: ${result.text.slice(0, 200)}`);
        return false;
      }
      this.#recorder.counts.chats.completed++;
      this.#recorder.counts.chats.tokens += Number(reply.usage?.completion_tokens ?? 0);
      return true;
    }
    const route = 'POST /v1/chat/completions (stream)';
    const response = await this.#http.open(route, key, '/v1/chat/completions', init, 120_000);
    if (response === undefined) return false;
    const text = await response.text().catch((error: unknown) => {
      this.#recorder.error(route, `reading the stream: ${String(error)}`);
      return undefined;
    });
    if (text === undefined) return false;
    if (response.status !== 200 || !text.includes('data: [DONE]')) {
      this.#recorder.error(route, `status ${response.status}, ${text.includes('data: [DONE]') ? '' : 'no [DONE]: '}${text.slice(-300)}`);
      return false;
    }
    const usage = /"completion_tokens":\s*(\d+)/.exec(text);
    this.#recorder.counts.chats.completed++;
    this.#recorder.counts.chats.streamed++;
    this.#recorder.counts.chats.tokens += usage === null ? 0 : Number(usage[1]);
    return true;
  }

  /** What a client does between jobs: its own WAV uploaded, read back and deleted; its job list. */
  async #housekeeping(): Promise<void> {
    for (let n = 0; !this.#stopped; n++) {
      const key = this.#keys[n % 2]!;
      const id = await upload(this.#http, this.#recorder, key, WAV, 'audio/wav', `jfk-${n}.wav`);
      let ok = id !== undefined;
      if (id !== undefined) {
        const meta = await this.#http.call('GET /api/uploads/:id', key, `/api/uploads/${id}`, {}, [200]);
        const removed = await this.#http.call('DELETE /api/uploads/:id', key, `/api/uploads/${id}`, { method: 'DELETE' }, [200]);
        ok = meta?.status === 200 && removed?.status === 200;
      }
      const list = await this.#http.call('GET /api/jobs', key, '/api/jobs?limit=20', {}, [200]);
      ok &&= list?.status === 200;
      await sleep(ok ? 1000 : BACKOFF_MS);
    }
  }
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const controller = new AbortController();
  const timeout = sleep(ms, false, { signal: controller.signal }).catch(() => false);
  const settled = await Promise.race([promise.then(() => true), timeout]);
  controller.abort();
  return settled;
}
