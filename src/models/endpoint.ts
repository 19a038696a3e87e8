import { ShenbiError } from '../core/errors.ts';

/** Origins a model endpoint (HF_ENDPOINT-style mirror) stands in for. */
const HUGGING_FACE_HOSTS = new Set(['huggingface.co', 'hf.co']);

/**
 * Checks a mirror endpoint such as `https://hf-mirror.com` (a path prefix is allowed, as
 * with HF_ENDPOINT) and returns it without trailing slashes.
 */
export function normalizeEndpoint(endpoint: string): string {
  let parsed: URL;
  try {
    parsed = new URL(endpoint);
  } catch {
    throw new ShenbiError('CONFIG_INVALID', `The model endpoint ${JSON.stringify(endpoint)} is not a URL.`, {
      hint: 'Set SHENBI_MODEL_ENDPOINT / HF_ENDPOINT (or "modelEndpoint" in config.json) to e.g. https://hf-mirror.com',
    });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ShenbiError('CONFIG_INVALID', `The model endpoint ${endpoint} must be an http(s) URL.`);
  }
  return endpoint.replace(/\/+$/, '');
}

/**
 * The URL to download from: a Hugging Face URL with its origin replaced by the endpoint
 * (same path and query), anything else unchanged.
 */
export function applyModelEndpoint(url: string, endpoint: string | null | undefined): string {
  if (endpoint === null || endpoint === undefined || endpoint === '') return url;
  const base = normalizeEndpoint(endpoint); // a bad setting fails every pull, not only HF ones
  const parsed = new URL(url);
  if (!HUGGING_FACE_HOSTS.has(parsed.hostname) || parsed.protocol !== 'https:') return url;
  return `${base}${parsed.pathname}${parsed.search}`;
}
