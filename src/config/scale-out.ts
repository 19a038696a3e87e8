import { z } from 'zod';
import { ShenbiError } from '../core/errors.ts';
import { LANES, laneSchema, type Lane } from '../jobs/lanes.ts';

/**
 * Running on shared infrastructure (docs/deploy.md): a Redis queue, blobs on S3, and what a
 * `shenbi worker` takes. All absent: the embedded default (in-process queue, blobs on disk).
 */
export const scaleOutFileSchema = z.object({
  /** `redis://[user:pass@]host:port[/db]` (or `rediss://`): jobs are delivered through BullMQ on it. Absent: the in-process queue. */
  queue: z
    .string()
    .regex(/^rediss?:\/\/[^\s]+$/, 'a redis:// or rediss:// URL')
    .optional(),
  /** `s3://bucket[/prefix]`: blobs (and uploads) live there; `blobsDir` becomes a local cache. Absent: blobs on this disk. */
  blobs: z
    .string()
    .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^\s]*)?$/, 's3://bucket[/prefix] (bucket names: 3-63 lower-case letters, digits, dots, hyphens)')
    .optional(),
  /** The S3 service for `blobs` (credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the SDK's usual chain). */
  s3: z
    .object({
      /** e.g. http://127.0.0.1:9000 (MinIO), https://<account>.r2.cloudflarestorage.com (R2), https://oss-cn-hangzhou.aliyuncs.com (OSS); absent: AWS. */
      endpoint: z.string().url().optional(),
      /** Default us-east-1 (R2: auto). */
      region: z.string().min(1).max(64).optional(),
      /** Bucket in the path (MinIO, most self-hosted servers); default false (virtual-hosted, AWS, OSS). */
      forcePathStyle: z.boolean().optional(),
      /** Artifact downloads redirect (302) to a presigned URL instead of passing through the server (default false). */
      presignDownloads: z.boolean().optional(),
      /** How long a presigned URL lives, seconds (default 300, at most 7 days). */
      presignExpiresSeconds: z.number().int().min(1).max(604_800).optional(),
    })
    .strict()
    .optional(),
  /** `shenbi worker`: the lanes it takes and how many jobs of each run at once. */
  worker: z
    .object({
      lanes: z.array(laneSchema).min(1).optional(),
      concurrency: z.partialRecord(laneSchema, z.number().int().min(1).max(256)).optional(),
    })
    .strict()
    .optional(),
});

export type ScaleOutFile = z.infer<typeof scaleOutFileSchema>;

export interface S3Settings {
  bucket: string;
  /** Key prefix without leading or trailing slash ('' for none). */
  prefix: string;
  endpoint: string | null;
  region: string;
  forcePathStyle: boolean;
  presignDownloads: boolean;
  presignExpiresSeconds: number;
}

export interface WorkerSettings {
  lanes: Lane[];
  concurrency: Record<Lane, number>;
}

/** Jobs of each lane a worker runs at once unless configured: one per core for CPU lanes, more for waiting ones. */
export function defaultLaneConcurrency(cores: number): Record<Lane, number> {
  return { image: 1, video: Math.max(1, Math.floor(cores / 2)), '3d': cores, motion: cores, music: cores, speech: cores, text: 4, cloud: 16 };
}

export interface ScaleOutSettings {
  /** Redis URL of the shared queue; null: in-process. */
  queue: string | null;
  /** null: blobs on disk. */
  s3: S3Settings | null;
  worker: WorkerSettings;
}

/** Config file < environment (SHENBI_QUEUE, SHENBI_BLOBS, SHENBI_S3_ENDPOINT, SHENBI_S3_REGION, SHENBI_S3_PATH_STYLE, SHENBI_WORKER_LANES). */
export function resolveScaleOut(file: ScaleOutFile, env: NodeJS.ProcessEnv, cores: number): ScaleOutSettings {
  const fromEnv = scaleOutFileSchema.safeParse({
    ...(env.SHENBI_QUEUE ? { queue: env.SHENBI_QUEUE } : {}),
    ...(env.SHENBI_BLOBS ? { blobs: env.SHENBI_BLOBS } : {}),
  });
  if (!fromEnv.success) {
    const issue = fromEnv.error.issues[0];
    throw new ShenbiError('CONFIG_INVALID', `SHENBI_${String(issue?.path[0] ?? '').toUpperCase()} is not valid: ${issue?.message ?? 'invalid'}.`);
  }
  const queue = fromEnv.data.queue ?? file.queue ?? null;
  const blobs = fromEnv.data.blobs ?? file.blobs ?? null;
  let s3: S3Settings | null = null;
  if (blobs !== null) {
    const rest = blobs.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const pathStyleEnv = env.SHENBI_S3_PATH_STYLE;
    s3 = {
      bucket: slash < 0 ? rest : rest.slice(0, slash),
      prefix: slash < 0 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, ''),
      endpoint: env.SHENBI_S3_ENDPOINT || file.s3?.endpoint || null,
      region: env.SHENBI_S3_REGION || file.s3?.region || 'us-east-1',
      forcePathStyle: pathStyleEnv === undefined ? (file.s3?.forcePathStyle ?? false) : pathStyleEnv === '1' || pathStyleEnv === 'true',
      presignDownloads: file.s3?.presignDownloads ?? false,
      presignExpiresSeconds: file.s3?.presignExpiresSeconds ?? 300,
    };
  }
  const lanesEnv = env.SHENBI_WORKER_LANES?.split(',').map((lane) => lane.trim()).filter(Boolean);
  const lanes = lanesEnv === undefined ? (file.worker?.lanes ?? [...LANES]) : parseLanes(lanesEnv);
  return { queue, s3, worker: { lanes, concurrency: { ...defaultLaneConcurrency(cores), ...file.worker?.concurrency } } };
}

function parseLanes(names: string[]): Lane[] {
  const parsed = z.array(laneSchema).min(1).safeParse(names);
  if (!parsed.success) throw new ShenbiError('CONFIG_INVALID', `SHENBI_WORKER_LANES must name lanes among ${LANES.join(', ')}; got "${names.join(',')}".`);
  return parsed.data;
}
