import { readFileSync } from 'node:fs';
import { availableParallelism, homedir, tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { ShenbiError } from '../core/errors.ts';
import { parseOrThrow } from '../core/validation.ts';
import { configFileSchema, type ConfigFile, type ShenbiConfig } from './schema.ts';
import { resolveServerLimits } from './server-limits.ts';
import { resolveJobTimings } from './job-timings.ts';
import { resolveScaleOut } from './scale-out.ts';
import { defaultModerationConfig, type ModerationConfig } from '../governance/moderation/config.ts';
import { resolveMediaFetchSettings } from '../media/fetch/media-fetch-settings.ts';

export interface LoadConfigOptions {
  /** Explicit config file; otherwise `$SHENBI_HOME/config.json` if it exists. */
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  /** Overrides applied last (tests, embedding applications). */
  overrides?: Partial<ShenbiConfig>;
}

/** Default producer code until an operator sets their TC260 service-provider code. */
export const DEFAULT_PRODUCER = 'Shenbi';

/** The smallest good bilingual instruct model in the catalog (`shenbi models pull qwen2.5-0.5b-instruct`). */
export const DEFAULT_TEXT_MODEL = 'qwen2.5-0.5b-instruct';

/**
 * Resolves configuration: defaults < config file < environment < overrides.
 * Environment: SHENBI_HOME, SHENBI_DATABASE, SHENBI_MODELS_DIR, SHENBI_MODEL_ENDPOINT or
 * HF_ENDPOINT, SHENBI_THREADS, SHENBI_LLAMA_THREADS, SHENBI_TEXT_MODEL, SHENBI_MEDIA_ROOTS, and the
 * scale-out ones (SHENBI_QUEUE, SHENBI_BLOBS, SHENBI_S3_*, SHENBI_WORKER_LANES; see scale-out.ts).
 */
export function loadConfig(options: LoadConfigOptions = {}): ShenbiConfig {
  const env = options.env ?? process.env;
  const home = resolve(options.overrides?.home ?? env.SHENBI_HOME ?? join(homedir(), '.shenbi'));
  const file = readConfigFile(options.configPath ?? join(home, 'config.json'), options.configPath !== undefined);

  const threadsEnv = positiveIntegerEnv(env, 'SHENBI_THREADS');
  const llamaThreadsEnv = positiveIntegerEnv(env, 'SHENBI_LLAMA_THREADS');

  const config: ShenbiConfig = {
    home,
    database: env.SHENBI_DATABASE ?? file.database ?? `sqlite:${join(home, 'shenbi.db')}`,
    blobsDir: resolve(home, file.blobsDir ?? 'blobs'),
    modelsDir: resolve(home, env.SHENBI_MODELS_DIR ?? file.modelsDir ?? 'models'),
    modelEndpoint: env.SHENBI_MODEL_ENDPOINT ?? env.HF_ENDPOINT ?? file.modelEndpoint ?? null,
    catalogs: (file.catalogs ?? []).map((p) => resolve(home, p)),
    concurrency: file.concurrency ?? {},
    threads: threadsEnv ?? file.threads ?? availableParallelism(),
    llama: {
      threads: Math.min(llamaThreadsEnv ?? file.llama?.threads ?? 1, availableParallelism()),
      memoryBudgetMb: file.llama?.memoryBudgetMb ?? null,
      idleUnloadSeconds: file.llama?.idleUnloadSeconds ?? 300,
      sequences: file.llama?.sequences ?? 8,
      lanes: file.llama?.lanes ?? null,
    },
    producer: file.producer ?? DEFAULT_PRODUCER,
    mediaRoots: (env.SHENBI_MEDIA_ROOTS ? env.SHENBI_MEDIA_ROOTS.split(delimiter).filter(Boolean) : (file.mediaRoots ?? [process.cwd(), homedir(), tmpdir()])).map((p) => resolve(home, p)),
    media: { fetch: resolveMediaFetchSettings(file.media?.fetch) },
    defaultTextModel: env.SHENBI_TEXT_MODEL ?? file.defaultTextModel ?? DEFAULT_TEXT_MODEL,
    providers: file.providers ?? [],
    publicBaseUrl: env.SHENBI_PUBLIC_BASE_URL ?? file.publicBaseUrl ?? null,
    moderation: resolveModeration(file.moderation, home),
    labels: file.labels ?? {},
    c2pa: { enabled: file.c2pa?.enabled ?? true, keysDir: resolve(home, file.c2pa?.keysDir ?? 'keys') },
    uploads: {
      dir: resolve(home, file.uploads?.dir ?? 'uploads'),
      maxBytes: (file.uploads?.maxMb ?? 2048) * 1024 * 1024,
      retentionMs: (file.uploads?.retentionHours ?? 72) * 3_600_000,
    },
    server: resolveServerLimits(file.server),
    jobs: resolveJobTimings(file.jobs),
    scaleOut: resolveScaleOut(file, env, availableParallelism()),
  };
  return { ...config, ...options.overrides };
}

function resolveModeration(configured: ModerationConfig | undefined, home: string): ModerationConfig {
  const moderation = configured ?? defaultModerationConfig();
  return moderation.extraTermsFile === undefined ? moderation : { ...moderation, extraTermsFile: resolve(home, moderation.extraTermsFile) };
}

function positiveIntegerEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!(Number.isInteger(value) && value >= 1)) throw new ShenbiError('CONFIG_INVALID', `${name} must be a positive integer, got "${raw}".`);
  return value;
}

function readConfigFile(path: string, required: boolean): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code;
    if (errno === 'ENOENT' && !required) return {};
    throw new ShenbiError('CONFIG_UNREADABLE', `Cannot read the config file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ShenbiError('CONFIG_UNREADABLE', `The config file ${path} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return parseOrThrow(configFileSchema, json, 'config', 'CONFIG_INVALID');
}
