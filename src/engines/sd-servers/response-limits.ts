import type { ResponseLimits } from '../providers/bounded-fetch.ts';

/**
 * Bounds on the answers of a user's AUTOMATIC1111 or ComfyUI server. A1111 answers txt2img only
 * when every image is drawn, so headers may take as long as ComfyUI's own workflow deadline;
 * after that, a minute without a byte or more than a batch of large PNGs (as base64) is a fault.
 */
export const SD_SERVER_RESPONSE_LIMITS: ResponseLimits = { headersMs: 30 * 60_000, idleMs: 60_000, maxBytes: 256 * 1024 * 1024 };
