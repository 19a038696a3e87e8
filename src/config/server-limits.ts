import { z } from 'zod';

/**
 * How long `shenbi serve` waits for clients and how many sockets it holds: slow or idle
 * clients must not pin connections (a request body trickled one byte a second, thousands of
 * sockets from one address). Responses (SSE streams, long jobs) are never limited by these.
 */
export const serverLimitsFileSchema = z
  .object({
    /** Time for a client to send the request line and headers (default 10). */
    headersTimeoutSeconds: z.number().positive().max(3600).optional(),
    /** Longest pause between chunks of a JSON body (default 10). */
    bodyIdleTimeoutSeconds: z.number().positive().max(3600).optional(),
    /** Time for a whole JSON body (default 60). */
    bodyTimeoutSeconds: z.number().positive().max(3600).optional(),
    /** Idle and total time of a body on a route that needs no API key (webhooks; keyless requests to a keyed server) (default 10). */
    publicBodyTimeoutSeconds: z.number().positive().max(3600).optional(),
    /** Uploads (POST /api/uploads, /v1/audio/transcriptions) may take long but must send at least this many bytes a second, averaged over the window (default 1024). */
    uploadMinBytesPerSecond: z.number().int().min(1).max(1_073_741_824).optional(),
    /** The window over which an upload's rate is measured, seconds (default 30). */
    uploadRateWindowSeconds: z.number().positive().max(3600).optional(),
    /** Open connections from one client address (IPv6: one /64), loopback included; more are answered 503 and closed (default 64). */
    maxConnectionsPerIp: z.number().int().min(1).max(1_000_000).optional(),
    /** Open connections in all; more are closed at once (default 1024). */
    maxConnections: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict();

export type ServerLimitsFile = z.infer<typeof serverLimitsFileSchema>;

/** The resolved limits, in milliseconds and counts. */
export interface ServerLimits {
  headersTimeoutMs: number;
  bodyIdleTimeoutMs: number;
  bodyTimeoutMs: number;
  publicBodyTimeoutMs: number;
  uploadMinBytesPerSecond: number;
  uploadRateWindowMs: number;
  maxConnectionsPerIp: number;
  maxConnections: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  bodyIdleTimeoutMs: 10_000,
  bodyTimeoutMs: 60_000,
  publicBodyTimeoutMs: 10_000,
  uploadMinBytesPerSecond: 1024,
  uploadRateWindowMs: 30_000,
  maxConnectionsPerIp: 64,
  maxConnections: 1024,
};

export function resolveServerLimits(file: ServerLimitsFile | undefined): ServerLimits {
  const seconds = (value: number | undefined, fallback: number) => (value === undefined ? fallback : Math.round(value * 1000));
  const d = DEFAULT_SERVER_LIMITS;
  return {
    headersTimeoutMs: seconds(file?.headersTimeoutSeconds, d.headersTimeoutMs),
    bodyIdleTimeoutMs: seconds(file?.bodyIdleTimeoutSeconds, d.bodyIdleTimeoutMs),
    bodyTimeoutMs: seconds(file?.bodyTimeoutSeconds, d.bodyTimeoutMs),
    publicBodyTimeoutMs: seconds(file?.publicBodyTimeoutSeconds, d.publicBodyTimeoutMs),
    uploadMinBytesPerSecond: file?.uploadMinBytesPerSecond ?? d.uploadMinBytesPerSecond,
    uploadRateWindowMs: seconds(file?.uploadRateWindowSeconds, d.uploadRateWindowMs),
    maxConnectionsPerIp: file?.maxConnectionsPerIp ?? d.maxConnectionsPerIp,
    maxConnections: file?.maxConnections ?? d.maxConnections,
  };
}
