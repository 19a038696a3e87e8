/** Implicit AIGC labels embedded in every container Shenbi writes (docs/architecture.md, "governance: implicit labels"). */
export { embedImplicitLabel } from './embed.ts';
export { readImplicitLabels } from './read.ts';
export { implicitLabelHook, type ImplicitLabelHookOptions } from './hook.ts';
export {
  DIGITAL_SOURCE_TYPE,
  aigcJson,
  implicitLabelPayloadFor,
  implicitLabelPayloadSchema,
  reproductionRecordFor,
  type ImplicitLabelPayload,
  type ReproductionRecord,
} from './payload.ts';
export { containerForMime, sniffContainer } from './sniff.ts';
export type { AigcMarker, Container, EmbeddedLabel, FoundAigcLabel, ImplicitLabelReport, Placement } from './types.ts';
