import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { LANES, type Lane } from '../../jobs/lanes.ts';
import { ALL_JOBS } from '../../jobs/job-events.ts';
import type { JobInfoCache } from '../../jobs/job-info.ts';
import type { LaneDepth } from '../../jobs/queue.ts';
import { JobMetrics } from './job-metrics.ts';
import type { MetricsRunner } from './metrics-runner.ts';

/** A scrape reads the queue at most this often: a shared queue's depth is a Redis round trip per lane. */
const QUEUE_DEPTH_TTL_MS = 1000;
/** A queue that does not answer in time is reported as unknown (no sample), not waited for. */
const QUEUE_DEPTH_TIMEOUT_MS = 500;
const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60];

/**
 * Process metrics (CPU, memory, event-loop lag, GC) describe the process, not a server: one
 * registry per process (not prom-client's global one), made on first use, so the observers
 * behind it are set up once however many servers a process (a test) creates.
 */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * The Prometheus registry of one server (never prom-client's global one, so two servers in a
 * process, as in tests, keep separate counts): process metrics, HTTP requests, jobs and
 * steps from the runner's events, queue depth per lane and engine use.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly jobs: JobMetrics;
  readonly #requests: Counter<'method' | 'route' | 'status'>;
  readonly #requestSeconds: Histogram<'method' | 'route'>;
  readonly #detach: () => void;
  #depth: { at: number; value: Promise<LaneDepth[] | undefined> } | undefined;

  constructor(
    private readonly runner: MetricsRunner,
    info: JobInfoCache,
  ) {
    processMetrics();
    const registers = [this.registry];
    this.jobs = new JobMetrics(this.registry, info);
    this.#requests = new Counter({ name: 'shenbi_http_requests_total', help: 'HTTP requests answered, by route pattern and status.', labelNames: ['method', 'route', 'status'], registers });
    this.#requestSeconds = new Histogram({ name: 'shenbi_http_request_duration_seconds', help: 'Time to the response headers, by route pattern.', labelNames: ['method', 'route'], buckets: HTTP_BUCKETS, registers });
    const depth = () => this.#queueDepth();
    new Gauge({
      name: 'shenbi_queue_waiting_jobs',
      help: 'Jobs waiting in the queue, per lane (a shared queue: all processes).',
      labelNames: ['lane'],
      registers,
      async collect() {
        const lanes = await depth();
        if (lanes === undefined) return;
        for (const lane of LANES) this.set({ lane }, lanes.get(lane)?.waiting ?? 0);
      },
    });
    new Gauge({
      name: 'shenbi_queue_oldest_age_seconds',
      help: 'Age of the oldest waiting job per lane (0 when none waits).',
      labelNames: ['lane'],
      registers,
      async collect() {
        const lanes = await depth();
        if (lanes === undefined) return;
        for (const lane of LANES) this.set({ lane }, (lanes.get(lane)?.oldestAgeMs ?? 0) / 1000);
      },
    });
    const usage = () => runner.engineUsage?.() ?? [];
    new Gauge({
      name: 'shenbi_engine_running_steps',
      help: 'Steps running per engine in this process.',
      labelNames: ['engine'],
      registers,
      collect() {
        for (const engine of usage()) this.set({ engine: engine.engine }, engine.running);
      },
    });
    new Gauge({
      name: 'shenbi_engine_waiting_steps',
      help: 'Steps waiting for a free slot of their engine in this process.',
      labelNames: ['engine'],
      registers,
      collect() {
        for (const engine of usage()) this.set({ engine: engine.engine }, engine.waiting);
      },
    });
    new Gauge({
      name: 'shenbi_engine_limit_steps',
      help: 'Steps an engine may run at once in this process (its concurrency limit).',
      labelNames: ['engine'],
      registers,
      collect() {
        for (const engine of usage()) this.set({ engine: engine.engine }, engine.limit);
      },
    });
    const stopEvents = runner.subscribe(ALL_JOBS, (event) => this.jobs.observe(event));
    const stopSubmitted = runner.onSubmitted?.((job) => this.jobs.submitted(job.pipelineId));
    this.#detach = () => {
      stopEvents();
      stopSubmitted?.();
    };
  }

  request(method: string, route: string, status: number, seconds: number): void {
    this.#requests.inc({ method, route, status: String(status) });
    this.#requestSeconds.observe({ method, route }, seconds);
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    const [own, process] = await Promise.all([this.registry.metrics(), processMetrics().metrics()]);
    return { contentType: this.registry.contentType, body: `${process}\n${own}` };
  }

  close(): void {
    this.#detach();
  }

  /** Both queue gauges share one read per TTL. */
  #queueDepth(): Promise<Map<Lane, LaneDepth> | undefined> {
    const now = Date.now();
    const queueDepth = this.runner.queueDepth?.bind(this.runner);
    if (queueDepth === undefined) return Promise.resolve(undefined);
    if (this.#depth === undefined || now - this.#depth.at >= QUEUE_DEPTH_TTL_MS) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), QUEUE_DEPTH_TIMEOUT_MS);
      });
      const read = queueDepth().catch((error: unknown) => {
        process.emitWarning(`metrics: reading the queue depth failed: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      });
      this.#depth = { at: now, value: Promise.race([read, timeout]).finally(() => clearTimeout(timer)) };
    }
    return this.#depth.value.then((lanes) => (lanes === undefined ? undefined : new Map(lanes.map((lane) => [lane.lane, lane]))));
  }
}
