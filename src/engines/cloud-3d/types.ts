import type { ProviderCallContext } from '../cloud-music/http.ts';

/** An image for image-to-3D, already read under the caller's rules. */
export interface Cloud3dImage {
  bytes: Uint8Array;
  /** image/png, image/jpeg or image/webp (sniffed from the bytes). */
  mediaType: string;
}

/** What a cloud 3D model is asked for; each adapter maps it onto its API's fields. */
export interface Cloud3dRequest {
  /** Text-to-3D: what the object is. With an image, a hint some providers take. */
  prompt?: string | undefined;
  /** Image-to-3D: the picture of the object. */
  image?: Cloud3dImage | undefined;
  seed?: number | undefined;
}

/** A model file the provider made, already parsed and checked (a glTF asset with at least one mesh). */
export interface Cloud3dResult {
  bytes: Uint8Array;
  format: 'glb' | 'gltf';
  /** The provider's id for the generation (task, job, prediction or queue request), for provenance. */
  requestId: string;
  meshes: number;
}

/** One resolved provider for a 3D adapter call. */
export interface Cloud3dContext extends ProviderCallContext {
  modelId: string;
  /** API base without a trailing slash. */
  baseURL: string;
  /** Auth and configured headers. */
  headers: Record<string, string>;
  pollMs: number;
  /** Give up polling after this long, ms. */
  timeoutMs: number;
  /** Largest model file accepted, bytes. */
  maxBytes: number;
  /** With webhooks (fal, Replicate), how long to wait for one before polling, ms. */
  webhookWaitMs: number;
  env: NodeJS.ProcessEnv;
}

/** Where an adapter found the finished model: the file's URL and the provider's id. */
export interface ModelLocation {
  url: string;
  requestId: string;
}
