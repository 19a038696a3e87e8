import { isShenbiError, ShenbiError } from '../core/errors.ts';

/** A public Hugging Face mirror that is reachable where huggingface.co is not (mainland China). */
export const WELL_KNOWN_MIRROR = 'https://hf-mirror.com';

export interface FailedPull {
  /** The model's name, as `shenbi models pull` takes it. */
  name: string;
  /** The mirror in use (SHENBI_MODEL_ENDPOINT / HF_ENDPOINT / config), or null for the origin. */
  endpoint: string | null;
  /** The file to fetch by other means and import; undefined for a multi-file model (it cannot be imported). */
  file?: { name: string; url: string };
}

/**
 * A failed download (offline, DNS, refused, blocked, HTTP error) gets a hint with the ways out:
 * a mirror endpoint, and `shenbi models import` for a file fetched elsewhere. A hint the
 * download already has (gated model, 404) comes first. Other errors pass through unchanged.
 */
export function withDownloadHint(error: unknown, pull: FailedPull): unknown {
  if (!isShenbiError(error) || error.code !== 'MODEL_DOWNLOAD_FAILED') return error;
  const mirror =
    pull.endpoint === null
      ? `Offline, or huggingface.co blocked? Pull through a mirror: SHENBI_MODEL_ENDPOINT=${WELL_KNOWN_MIRROR} shenbi models pull ${pull.name} (HF_ENDPOINT works too, or "modelEndpoint" in config.json).`
      : `Downloads went through the mirror ${pull.endpoint} (SHENBI_MODEL_ENDPOINT / HF_ENDPOINT): try another, e.g. ${WELL_KNOWN_MIRROR}, or unset it to use huggingface.co directly.`;
  const elsewhere =
    pull.file === undefined
      ? undefined
      : `Or download ${pull.file.url} on another machine and install the file with: shenbi models import PATH/${pull.file.name} --name ${pull.name}`;
  return new ShenbiError(error.code, error.message, {
    cause: error.cause,
    retryable: error.retryable,
    details: { ...error.details, name: pull.name, ...(pull.endpoint === null ? {} : { endpoint: pull.endpoint }) },
    hint: [error.hint, mirror, elsewhere].filter((part) => part !== undefined).join(' '),
  });
}
