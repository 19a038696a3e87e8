import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Provenance } from '../../core/provenance.ts';
import { parseOrThrow } from '../../core/validation.ts';
import { AIGC_KEYS, buildAigcLabel, type AigcLabel } from '../aigc.ts';

/** IPTC digital source types (http://cv.iptc.org/newscodes/digitalsourcetype/). */
export const DIGITAL_SOURCE_TYPE = {
  /** Wholly made by a trained model. */
  trained: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia',
  /** A user's own media edited or combined with model output. */
  composite: 'http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia',
} as const;

/** GB 45438-2025 Annex E j): printable ASCII without space, `"` or `\`. */
export const AIGC_VALUE_PATTERN = /^[\x21\x23-\x5B\x5D-\x7E]*$/;

const aigcValue = z.string().regex(AIGC_VALUE_PATTERN, 'printable ASCII without space, " or \\ (GB 45438-2025 Annex E j)');

export const aigcLabelSchema = z.strictObject({
  Label: z.enum(['1', '2', '3']),
  ContentProducer: aigcValue.min(1),
  ProduceID: aigcValue.min(1),
  ReservedCode1: aigcValue,
  ContentPropagator: aigcValue,
  PropagateID: aigcValue,
  ReservedCode2: aigcValue,
});

/** How to make the artifact again: the engine, the model and its file hash, the seed, the parameters' hash. */
export const reproductionRecordSchema = z.strictObject({
  /** `engine-id@version`. */
  engine: z.string().min(1),
  model: z.string().nullable(),
  /** sha256 of the model file, when it is a local file. */
  modelHash: z.string().nullable(),
  seed: z.number().int().nullable(),
  /** `sha256:` of the canonical JSON (sorted keys) of the step parameters. */
  parameterHash: z.string().regex(/^sha256:[0-9a-f]{64}$/),
});
export type ReproductionRecord = z.infer<typeof reproductionRecordSchema>;

/** Everything an implicit label carries into a file. */
export const implicitLabelPayloadSchema = z.strictObject({
  aigc: aigcLabelSchema,
  digitalSourceType: z.string().url(),
  reproduction: reproductionRecordSchema,
});
export type ImplicitLabelPayload = z.infer<typeof implicitLabelPayloadSchema>;

/** The AIGC JSON exactly as containers store it: compact, the seven keys in Annex E order. */
export function aigcJson(label: AigcLabel): string {
  const ordered: Record<string, string> = {};
  for (const key of AIGC_KEYS) ordered[key] = label[key];
  return JSON.stringify(ordered);
}

/**
 * The Shenbi entry that travels beside the AIGC carrier in containers without XMP: the IPTC
 * source type and the reproduction record, as one JSON object (key `Shenbi`). It never
 * contains the string "AIGC", so "one AIGC carrier per file" checks stay exact.
 */
export function shenbiJson(payload: ImplicitLabelPayload): string {
  const r = payload.reproduction;
  return JSON.stringify({
    DigitalSourceType: payload.digitalSourceType,
    Engine: r.engine,
    Model: r.model,
    ModelHash: r.modelHash,
    Seed: r.seed,
    ParameterHash: r.parameterHash,
  });
}

export interface ShenbiEntry {
  digitalSourceType: string | null;
  reproduction: ReproductionRecord | null;
}

const shenbiEntrySchema = z.object({
  DigitalSourceType: z.string().optional(),
  Engine: z.string(),
  Model: z.string().nullable(),
  ModelHash: z.string().nullable(),
  Seed: z.number().int().nullable(),
  ParameterHash: z.string(),
});

/** Parses a `Shenbi` entry; null fields where it is absent or malformed (readers never throw on it). */
export function parseShenbiJson(text: string | null): ShenbiEntry {
  if (text === null) return { digitalSourceType: null, reproduction: null };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { digitalSourceType: null, reproduction: null };
  }
  const entry = shenbiEntrySchema.safeParse(parsed);
  if (!entry.success) return { digitalSourceType: null, reproduction: null };
  const e = entry.data;
  const reproduction = reproductionRecordSchema.safeParse({ engine: e.Engine, model: e.Model, modelHash: e.ModelHash, seed: e.Seed, parameterHash: e.ParameterHash });
  return { digitalSourceType: e.DigitalSourceType ?? null, reproduction: reproduction.success ? reproduction.data : null };
}

/** JSON with object keys sorted at every depth, so equal parameters hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function reproductionRecordFor(provenance: Provenance): ReproductionRecord {
  return {
    engine: `${provenance.engine.id}@${provenance.engine.version}`,
    model: provenance.model?.name ?? null,
    modelHash: provenance.model?.sha256 ?? null,
    seed: provenance.seed,
    parameterHash: `sha256:${createHash('sha256').update(canonicalJson(provenance.parameters)).digest('hex')}`,
  };
}

/** A media reference that is not an artifact: a file path or URL the user supplied. */
const USER_MEDIA_REF = /^(?:https?:\/\/|\/|\.{1,2}\/|[A-Za-z]:\\).*\.(?:png|jpe?g|webp|gif|bmp|tiff?|heic|avif|mp4|mov|m4v|mkv|webm|avi|mp3|wav|flac|ogg|opus|m4a|aac)$/i;

/**
 * trainedAlgorithmicMedia, unless the step edited media the user brought in (a path or URL
 * among its inputs rather than an artifact id): then compositeWithTrainedAlgorithmicMedia.
 */
export function digitalSourceTypeFor(provenance: Provenance): string {
  const refs = Object.values(provenance.inputs).flatMap((v) => (Array.isArray(v) ? v : [v]));
  return refs.some((v) => typeof v === 'string' && USER_MEDIA_REF.test(v)) ? DIGITAL_SOURCE_TYPE.composite : DIGITAL_SOURCE_TYPE.trained;
}

/** The payload for an artifact's first write: ProduceID = PropagateID (see produce-id.ts). */
export function implicitLabelPayloadFor(produceId: string, producer: string, provenance: Provenance): ImplicitLabelPayload {
  return {
    aigc: parseOrThrow(aigcLabelSchema, buildAigcLabel(produceId, producer), 'AIGC implicit label'),
    digitalSourceType: digitalSourceTypeFor(provenance),
    reproduction: reproductionRecordFor(provenance),
  };
}
