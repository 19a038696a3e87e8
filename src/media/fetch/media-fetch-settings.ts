import { z } from 'zod';
import { isValidCidr, type PrivateNetworkAllowance } from './address-policy.ts';

/** What a fetched URL is expected to be; each kind has its own byte limit. */
export type FetchedMediaKind = 'image' | 'audio' | 'video' | 'text';

export interface MediaFetchSettings {
  /** Largest body per kind, bytes: refused early on Content-Length, cut off while streaming. */
  readonly maxBytes: Readonly<Record<FetchedMediaKind, number>>;
  /** Name resolution plus TCP connect. */
  readonly connectTimeoutMs: number;
  /** No byte from the server for this long (headers included) ends the fetch. */
  readonly idleTimeoutMs: number;
  /** The whole fetch, redirects included. */
  readonly totalTimeoutMs: number;
  /** Off by default: fetches may reach only public addresses (no SSRF into the operator's network). */
  readonly allowPrivateNetworks: PrivateNetworkAllowance;
}

const MiB = 1024 * 1024;
/** Steps hold a fetched file in memory once (Buffer), and fs.readFile stops at 2 GiB. */
const MAX_MB = 2047;

export const DEFAULT_MEDIA_FETCH: MediaFetchSettings = Object.freeze({
  maxBytes: Object.freeze({ image: 64 * MiB, audio: 512 * MiB, video: 1024 * MiB, text: 16 * MiB }),
  connectTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
  totalTimeoutMs: 600_000,
  allowPrivateNetworks: false,
});

/** `media.fetch` in config.json: every field optional, each capped. */
export const mediaFetchConfigSchema = z
  .object({
    /** Largest media per kind, MiB (defaults: image 64, audio 512, video 1024, text 16). */
    maxMb: z
      .object({
        image: z.number().int().min(1).max(1024),
        audio: z.number().int().min(1).max(MAX_MB),
        video: z.number().int().min(1).max(MAX_MB),
        text: z.number().int().min(1).max(256),
      })
      .partial()
      .strict()
      .optional(),
    /** Default 10. */
    connectTimeoutSeconds: z.number().positive().max(300).optional(),
    /** Default 30. */
    idleTimeoutSeconds: z.number().positive().max(3_600).optional(),
    /** Default 600. */
    totalTimeoutSeconds: z.number().positive().max(86_400).optional(),
    /**
     * Let media URLs reach non-public addresses (an on-prem media store): `true` for all, or a
     * list of CIDR ranges (e.g. ["10.20.0.0/16"]) for those only. Default false.
     */
    allowPrivateNetworks: z.union([z.boolean(), z.array(z.string().refine(isValidCidr, 'a CIDR range such as "10.20.0.0/16"')).max(100)]).optional(),
  })
  .strict();

export type MediaFetchConfig = z.infer<typeof mediaFetchConfigSchema>;

export function resolveMediaFetchSettings(config: MediaFetchConfig = {}): MediaFetchSettings {
  const d = DEFAULT_MEDIA_FETCH;
  const mb = (value: number | undefined, fallback: number) => (value === undefined ? fallback : value * MiB);
  const ms = (seconds: number | undefined, fallback: number) => (seconds === undefined ? fallback : Math.round(seconds * 1000));
  return {
    maxBytes: {
      image: mb(config.maxMb?.image, d.maxBytes.image),
      audio: mb(config.maxMb?.audio, d.maxBytes.audio),
      video: mb(config.maxMb?.video, d.maxBytes.video),
      text: mb(config.maxMb?.text, d.maxBytes.text),
    },
    connectTimeoutMs: ms(config.connectTimeoutSeconds, d.connectTimeoutMs),
    idleTimeoutMs: ms(config.idleTimeoutSeconds, d.idleTimeoutMs),
    totalTimeoutMs: ms(config.totalTimeoutSeconds, d.totalTimeoutMs),
    allowPrivateNetworks: config.allowPrivateNetworks ?? d.allowPrivateNetworks,
  };
}
