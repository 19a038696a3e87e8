export { BED_FADES, BED_LIMITS, bedComposition, bedRequestSchema, composeBed, type BedRequest } from './compose-bed.ts';
export { BED_LUFS, BED_SAMPLE_RATE, renderBed, renderBedInThread, type RenderBedOptions } from './render-bed.ts';
