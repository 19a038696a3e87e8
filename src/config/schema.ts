import { z } from 'zod';
// From config.ts, not the providers' index: loading the config must not load every provider SDK.
import { ProviderConfigSchema, type ProviderConfig } from '../engines/providers/config.ts';
import { explicitLabelOptionsSchema, type ExplicitLabelOptionsInput } from '../governance/explicit/options.ts';
import { moderationConfigSchema, type ModerationConfig } from '../governance/moderation/config.ts';
import { mediaFetchConfigSchema, type MediaFetchSettings } from '../media/fetch/media-fetch-settings.ts';
import { serverLimitsFileSchema, type ServerLimits } from './server-limits.ts';
import { jobTimingsFileSchema, type JobTimings } from './job-timings.ts';
import { scaleOutFileSchema, type ScaleOutSettings } from './scale-out.ts';

/** The config file (`$SHENBI_HOME/config.json`), every field optional. */
export const configFileSchema = z
  .object({
    /** `sqlite:<path>` (default `sqlite:$SHENBI_HOME/shenbi.db`) or `postgres://…`. */
    database: z.string().min(1).optional(),
    /** Where blobs live (default `$SHENBI_HOME/blobs`). */
    blobsDir: z.string().min(1).optional(),
    /** Where pulled models live (default `$SHENBI_HOME/models`). */
    modelsDir: z.string().min(1).optional(),
    /** Mirror for huggingface.co downloads, like HF_ENDPOINT (e.g. https://hf-mirror.com). */
    modelEndpoint: z.string().url().optional(),
    /** Extra catalog files merged over the built-in catalog. */
    catalogs: z.array(z.string()).optional(),
    /** Parallel steps per engine, e.g. { "llama": 1, "ffmpeg": 2 }. */
    concurrency: z.record(z.string(), z.number().int().min(1).max(1024)).optional(),
    /** Threads for CPU engines; default: the cores this process may use. */
    threads: z.number().int().min(1).max(1024).optional(),
    /** The local llama.cpp text engine. */
    llama: z
      .object({
        /** Threads per model; default 1 (measured: more threads than this on 2 cores is ~10× slower). Capped at the cores. */
        threads: z.number().int().min(1).max(1024).optional(),
        /** Loaded models may hold this much together; idle ones unload, least recently used first. */
        memoryBudgetMb: z.number().int().min(1).optional(),
        /** Unload a model this long after its last request. */
        idleUnloadSeconds: z.number().min(1).optional(),
        /** Parallel requests one loaded model serves (sequences over all its lanes). */
        sequences: z.number().int().min(1).max(64).optional(),
        /** Contexts of one loaded model that decode in parallel; default twice the cores, at most `sequences`. 1 = one context batching every request. */
        lanes: z.number().int().min(1).max(64).optional(),
      })
      .strict()
      .optional(),
    /** Text model used when a task names none: an installed model or `provider:model`. */
    defaultTextModel: z.string().min(1).optional(),
    /** Cloud and self-hosted providers beyond the built-in presets (keys come from environment variables). */
    providers: z.array(ProviderConfigSchema).optional(),
    /** This server's address as the internet sees it (e.g. https://shenbi.example.com); only when set do cloud video jobs ask providers for webhooks to POST /api/webhooks/…. */
    publicBaseUrl: z.string().url().optional(),
    /** Folders steps may read user media (audio, video, pictures) from; default: the working folder, home and temp. Only for the CLI and the keyless loopback server: API keys never name local files. */
    mediaRoots: z.array(z.string().min(1)).optional(),
    /** Media inputs given as http(s) URLs: byte limits per kind, deadlines, private networks (off). */
    media: z.object({ fetch: mediaFetchConfigSchema.optional() }).strict().optional(),
    /** Producer code written into AIGC implicit labels (`ContentProducer`). */
    producer: z
      .string()
      .regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'printable ASCII without spaces, " or \\ (GB 45438 Annex E)')
      .optional(),
    /** Explicit (visible, audible) AI labels: wording, corners, audio placement; all on by default. */
    labels: explicitLabelOptionsSchema.optional(),
    /** C2PA manifests on every format c2pa-rs supports, signed with the local keys (created on first use). */
    c2pa: z
      .object({
        enabled: z.boolean().optional(),
        /** Default `$SHENBI_HOME/keys` (see `shenbi keys init`). */
        keysDir: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    /** Files users give Shenbi through POST /api/uploads: their own media, never labeled, kept a while. */
    uploads: z
      .object({
        /** Default `$SHENBI_HOME/uploads`. */
        dir: z.string().min(1).optional(),
        /** Largest upload, MiB (default 2048). */
        maxMb: z.number().int().min(1).max(1_048_576).optional(),
        /** Uploads are deleted this long after they arrive (default 72). */
        retentionHours: z.number().positive().max(87_600).optional(),
      })
      .strict()
      .optional(),
    /** Content moderation of inputs and generated text: term lists (zh, en) and an optional provider endpoint. */
    moderation: moderationConfigSchema.optional(),
    /** `shenbi serve`: header and body timeouts, connection caps (see server-limits.ts). */
    server: serverLimitsFileSchema.optional(),
    /** Job leases and recovery: heartbeatMs, staleAfterMs, recoverEveryMs (see job-timings.ts). */
    jobs: jobTimingsFileSchema.optional(),
  })
  .extend(scaleOutFileSchema.shape)
  .strict();

export type ConfigFile = z.infer<typeof configFileSchema>;

/** Fully resolved configuration. */
export interface ShenbiConfig {
  home: string;
  database: string;
  blobsDir: string;
  modelsDir: string;
  modelEndpoint: string | null;
  catalogs: string[];
  concurrency: Record<string, number>;
  threads: number;
  llama: { threads: number; memoryBudgetMb: number | null; idleUnloadSeconds: number; sequences: number; lanes: number | null };
  producer: string;
  mediaRoots: string[];
  media: { fetch: MediaFetchSettings };
  defaultTextModel: string;
  providers: ProviderConfig[];
  /** Where providers reach this server's webhooks; null: they are polled. */
  publicBaseUrl: string | null;
  /** extraTermsFile resolved against home. */
  moderation: ModerationConfig;
  labels: ExplicitLabelOptionsInput;
  c2pa: { enabled: boolean; keysDir: string };
  uploads: { dir: string; maxBytes: number; retentionMs: number };
  /** Timeouts and connection caps of `shenbi serve`; defaults when absent. */
  server?: ServerLimits;
  /** Job leases and how often `shenbi serve` recovers jobs of dead processes; defaults when absent. */
  jobs?: JobTimings;
  /** Shared queue, blobs on S3, worker lanes (docs/deploy.md); absent: the embedded default. */
  scaleOut?: ScaleOutSettings;
}
