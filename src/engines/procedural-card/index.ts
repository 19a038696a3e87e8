import { SHARP_VERSION } from '../../media/load-sharp.ts';
import type { EngineInfo } from '../engine-info.ts';

export { renderCard, type CardRequest, type RenderedCard } from './render.ts';

export const proceduralCardEngine: EngineInfo = {
  id: 'procedural-card',
  version: `1.0.0+sharp-${SHARP_VERSION}`,
  tasks: ['image'],
  local: true,
  license: 'Apache-2.0',
  description: 'Typographic cards and posters drawn from text with seeded layouts (SVG rendered by sharp). No model needed.',
};
