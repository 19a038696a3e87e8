/**
 * The implicit label of GB 45438-2025 Annex E: a JSON object with exactly these seven
 * string keys, in this order. ../shared/docs/labeling.md has the sources.
 */
export const AIGC_KEYS = [
  'Label',
  'ContentProducer',
  'ProduceID',
  'ReservedCode1',
  'ContentPropagator',
  'PropagateID',
  'ReservedCode2',
] as const;

export type AigcLabel = Record<(typeof AIGC_KEYS)[number], string>;

/**
 * `Label` "1": the content is AI-generated or synthesised (a generator always writes "1").
 * On first write the producer is also the propagator (Annex E note 1), so
 * ContentPropagator = ContentProducer and PropagateID = ProduceID.
 */
export function buildAigcLabel(produceId: string, producer: string): AigcLabel {
  return {
    Label: '1',
    ContentProducer: producer,
    ProduceID: produceId,
    ReservedCode1: '',
    ContentPropagator: producer,
    PropagateID: produceId,
    ReservedCode2: '',
  };
}

/** Serialized in key order; values must stay printable ASCII to survive every container. */
export function serializeAigcLabel(label: AigcLabel): string {
  const ordered: Record<string, string> = {};
  for (const key of AIGC_KEYS) ordered[key] = label[key];
  return JSON.stringify(ordered);
}
