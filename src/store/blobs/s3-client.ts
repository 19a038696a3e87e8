import { HeadBucketCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { S3Settings } from '../../config/scale-out.ts';
import { ShenbiError } from '../../core/errors.ts';

/** A connection that does not open in this time fails (then the SDK retries). */
const CONNECT_TIMEOUT_MS = 5_000;
/** A request whose socket stays idle this long fails: bounds a stuck transfer, not a long one. */
const REQUEST_TIMEOUT_MS = 60_000;
/** The SDK's standard retry mode: backoff with jitter on throttling and transient errors. */
const MAX_ATTEMPTS = 3;

/** How an S3 service is named in messages: endpoint and bucket, never credentials. */
export function describeS3(settings: S3Settings): string {
  return `s3://${settings.bucket}${settings.prefix === '' ? '' : `/${settings.prefix}`} at ${settings.endpoint ?? `AWS S3 (${settings.region})`}`;
}

/**
 * An S3 client bounded in time and retries. Checksums only where the API requires them:
 * the SDK's default trailing CRC (aws-chunked uploads) is not understood by every
 * S3-compatible service (s3rver, OSS and R2 differ), and every blob is hashed by us anyway.
 */
export function createS3Client(settings: S3Settings): S3Client {
  return new S3Client({
    region: settings.region,
    ...(settings.endpoint === null ? {} : { endpoint: settings.endpoint }),
    forcePathStyle: settings.forcePathStyle,
    retryMode: 'standard',
    maxAttempts: MAX_ATTEMPTS,
    requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** HeadBucket with a short deadline: BLOB_STORE_UNAVAILABLE naming endpoint and bucket when it fails. */
export async function checkBucket(client: S3Client, settings: S3Settings, timeoutMs = 10_000): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: settings.bucket }), { abortSignal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw s3Unavailable(settings, 'cannot be reached', error);
  }
}

/** Whether the SDK error means "no such key" (HEAD answers a bare 404 with no code). */
export function isNotFound(error: unknown): boolean {
  if (error instanceof S3ServiceException) return error.name === 'NotFound' || error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404;
  return false;
}

/** BLOB_STORE_UNAVAILABLE: names the service and the SDK's reason (never a credential: the SDK's messages carry none). */
export function s3Unavailable(settings: S3Settings, what: string, error: unknown): ShenbiError {
  const reason = error instanceof S3ServiceException ? `${error.name} (HTTP ${error.$metadata.httpStatusCode ?? '?'})` : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new ShenbiError('BLOB_STORE_UNAVAILABLE', `The blob store ${describeS3(settings)} ${what}: ${reason.slice(0, 300)}.`, {
    cause: error,
    details: { endpoint: settings.endpoint, bucket: settings.bucket, region: settings.region },
    hint: 'Check the S3 endpoint, bucket, region and path-style settings (config.json "blobs" and "s3", or SHENBI_BLOBS / SHENBI_S3_*), the credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, and that the service is up.',
  });
}
