import { SHARP_VERSION } from '../../media/load-sharp.ts';
import type { EngineInfo } from '../engine-info.ts';

export const IMAGE_OPS_ENGINE_INFO: EngineInfo = {
  id: 'image-ops',
  version: `1.0.0+sharp-${SHARP_VERSION}`,
  tasks: ['image'],
  local: true,
  license: 'Apache-2.0',
  description: 'Resize, crop (box or attention), Lanczos upscale, thumbnails and CJK posters with sharp (libvips), with a pixel limit on every input.',
};

export * from './operations.ts';
export { composePoster, type PosterRequest } from './poster.ts';
export { probeImage } from './probe.ts';
