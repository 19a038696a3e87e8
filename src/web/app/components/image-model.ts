import type { ModelList } from '../api/models.ts';

/**
 * Provider names that are image-capable kinds (src/engines/providers/media-models.ts
 * providerImageModel). The server lists configured providers by name only, so a provider
 * configured under another name is not recognised here: the page lets the user type it.
 */
const IMAGE_PROVIDERS = new Set(['openai', 'google', 'fal', 'replicate', 'black-forest-labs', 'luma', 'comfyui', 'automatic1111']);
/**
 * The server's image defaults per provider (IMAGE_DEFAULTS in media-models.ts): the listed
 * `provider:model` is the text default, and a cloud image call needs `provider:model`. A
 * ComfyUI or AUTOMATIC1111 server's configured default is its checkpoint: used as listed.
 */
const IMAGE_DEFAULTS: Readonly<Record<string, string>> = {
  openai: 'gpt-image-1',
  google: 'imagen-3.0-generate-002',
  fal: 'fal-ai/flux/schnell',
  replicate: 'black-forest-labs/flux-schnell',
  luma: 'photon-flash-1',
  'black-forest-labs': 'flux-pro-1.1',
};

/** An image model the server has: an installed local diffusion model, else a configured image-capable provider; null when none. */
export function imageModelOf(list: ModelList | null): string | null {
  if (list === null) return null;
  const local = list.rows.find((row) => row.installed && (row.task ?? '').split(/,\s*/).includes('image'));
  if (local) return local.name;
  for (const spec of list.providers) {
    const provider = spec.split(':')[0] ?? '';
    if (!IMAGE_PROVIDERS.has(provider)) continue;
    const model = IMAGE_DEFAULTS[provider];
    return model === undefined ? spec : `${provider}:${model}`;
  }
  return null;
}
