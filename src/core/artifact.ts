import { z } from 'zod';
import { provenanceSchema } from './provenance.ts';

/** What an artifact is, independent of its container format. */
export const ARTIFACT_KINDS = [
  'text',
  'code',
  'json',
  'image',
  'audio',
  'video',
  'midi',
  'subtitle',
  'model3d',
  'motion',
  'document',
] as const;

export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

export const artifactKindSchema = z.enum(ARTIFACT_KINDS);

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase sha256 hex digest');

/** A label that governance attached to an artifact (explicit mark, implicit metadata, C2PA...). */
export const labelRecordSchema = z.object({
  /** e.g. 'aigc-implicit', 'aigc-explicit', 'c2pa'. */
  type: z.string().min(1),
  /** Where it lives: 'metadata' (store only), 'xmp', 'text-prefix', ... */
  placement: z.string().min(1),
  value: z.unknown(),
});
export type LabelRecord = z.infer<typeof labelRecordSchema>;

export const artifactSchema = z.object({
  id: z.string().min(1),
  kind: artifactKindSchema,
  mimeType: z.string().min(1),
  size: z.number().int().nonnegative(),
  sha256: sha256Hex,
  /** Content address in the blob store: `sha256:<hex>`. */
  blobRef: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  name: z.string().nullable(),
  jobId: z.string().nullable(),
  stepId: z.string().nullable(),
  createdAt: z.string(),
  provenance: provenanceSchema,
  labels: z.array(labelRecordSchema),
});

export type Artifact = z.infer<typeof artifactSchema>;

export function blobRefFor(sha256: string): string {
  return `sha256:${sha256}`;
}
