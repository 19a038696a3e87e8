/** The local talking-head renderer: a landmark-driven mesh warp of the portrait's face, encoded with ffmpeg. */
export { renderTalkingHead } from './render-talking-head.ts';
export { renderTalkingHeadOptionsSchema, type RenderResult, type RenderTalkingHeadOptions } from './options.ts';
export { patchRegion } from './region.ts';
export { presenterLayout, type PresenterLayoutOptions } from './presenter-layout.ts';
