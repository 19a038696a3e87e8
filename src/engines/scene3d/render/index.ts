export { findChromium, isRendererAvailable } from './chromium.ts';
export { renderPreviews, renderThumbnail, renderTurntable, type RenderedPreviews, type RenderOptions, type TurntableOptions } from './render-model.ts';
