import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';

/** What one soak run does; every field has a default, so `bench/soak.ts` alone runs the full 10 minutes. */
export const soakOptionsSchema = z
  .object({
    /** Length of the loaded phase. */
    seconds: z.number().positive().max(24 * 3600),
    /** `/v1/models` polled on the idle server first, for the baseline. */
    idleSeconds: z.number().min(1).max(3600),
    /** Jobs kept in flight (submitted and not yet ended): at least the cores, so they stay busy. */
    concurrency: z.number().int().min(1).max(64),
    /** Clients sending chat completions back to back. */
    chats: z.number().int().min(0).max(16),
    /** Period of the `/v1/models` poller (open loop: a stalled server does not slow the poller down). */
    pollIntervalMs: z.number().int().min(5).max(10_000),
    /** After the loaded phase: how long in-flight jobs may finish before the rest are cancelled. */
    drainSeconds: z.number().min(0).max(3600),
    /** A job still running this long after its submission is an error: the soak cancels it (its stream then gets the end grace). */
    jobTimeoutSeconds: z.number().min(1).max(24 * 3600),
    /** After the cancels: how long every SSE stream has to end before it counts as hung. */
    endGraceSeconds: z.number().min(1).max(600),
    /** RSS of the server sampled this often. */
    rssSampleSeconds: z.number().min(0.2).max(600),
    /** RSS growth is judged after this much of the loaded phase (caches, pools and models fill first). */
    warmupSeconds: z.number().min(0).max(24 * 3600),
    /** Least post-warm-up window over which an RSS slope means anything; shorter runs report it without judging. */
    minRssWindowSeconds: z.number().min(1).max(24 * 3600),
    /** Fail when RSS after warm-up grows faster than this (least-squares slope). */
    maxRssSlopeMbPerMin: z.number().positive(),
    /** Target for `/v1/models` p99 under load (reported PASS/FAIL; not part of the exit status). */
    targetP99Ms: z.number().positive(),
    json: z.boolean(),
    /** Keep the temp SHENBI_HOME for inspection. */
    keepHome: z.boolean(),
  })
  .strict();

export type SoakOptions = z.infer<typeof soakOptionsSchema>;

const USAGE = `Usage: npm run bench:soak -- [--minutes N | --seconds N] [--concurrency N] [--chats N] [--idle-seconds N]
       [--drain-seconds N] [--end-grace-seconds N] [--job-timeout-seconds N] [--warmup-seconds N] [--max-rss-slope MB_PER_MIN] [--poll-ms N] [--json] [--keep-home]`;

/** Defaults that scale with the run: a short run gets a short baseline, warm-up and drain. */
export function defaultSoakOptions(seconds: number): SoakOptions {
  const cores = availableParallelism();
  return {
    seconds,
    idleSeconds: Math.min(30, Math.max(2, Math.round(seconds / 10))),
    concurrency: Math.max(2, 2 * cores),
    chats: 2,
    pollIntervalMs: 50,
    drainSeconds: Math.min(120, Math.max(5, Math.round(seconds / 5))),
    endGraceSeconds: 30,
    jobTimeoutSeconds: 600,
    rssSampleSeconds: Math.min(5, Math.max(0.5, seconds / 60)),
    warmupSeconds: Math.min(120, seconds / 4),
    minRssWindowSeconds: 60,
    maxRssSlopeMbPerMin: 10,
    targetP99Ms: 100,
    json: false,
    keepHome: false,
  };
}

const ARG_OPTIONS = {
  minutes: { type: 'string' },
  seconds: { type: 'string' },
  concurrency: { type: 'string' },
  chats: { type: 'string' },
  'idle-seconds': { type: 'string' },
  'drain-seconds': { type: 'string' },
  'end-grace-seconds': { type: 'string' },
  'job-timeout-seconds': { type: 'string' },
  'warmup-seconds': { type: 'string' },
  'max-rss-slope': { type: 'string' },
  'poll-ms': { type: 'string' },
  json: { type: 'boolean', default: false },
  'keep-home': { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

/** Parses the command line (`--minutes 10` by default); bad values fail with the usage. */
export function parseSoakArgs(argv: string[]): SoakOptions {
  let values: ReturnType<typeof parseArgs<{ args: string[]; strict: true; options: typeof ARG_OPTIONS }>>['values'];
  try {
    ({ values } = parseArgs({ args: argv, strict: true, options: ARG_OPTIONS }));
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const number = (raw: string | undefined) => (raw === undefined ? undefined : Number(raw));
  const seconds = number(values.seconds) ?? (number(values.minutes) ?? 10) * 60;
  const given = {
    concurrency: number(values.concurrency),
    chats: number(values.chats),
    idleSeconds: number(values['idle-seconds']),
    drainSeconds: number(values['drain-seconds']),
    endGraceSeconds: number(values['end-grace-seconds']),
    jobTimeoutSeconds: number(values['job-timeout-seconds']),
    warmupSeconds: number(values['warmup-seconds']),
    maxRssSlopeMbPerMin: number(values['max-rss-slope']),
    pollIntervalMs: number(values['poll-ms']),
  };
  const merged = { ...defaultSoakOptions(seconds), json: values.json, keepHome: values['keep-home'] };
  for (const [key, value] of Object.entries(given)) if (value !== undefined) Object.assign(merged, { [key]: value });
  const result = soakOptionsSchema.safeParse(merged);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`${issues}\n${USAGE}`);
  }
  return result.data;
}
