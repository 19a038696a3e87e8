import { z } from 'zod';

/** How an artifact was made: enough to audit it and, with the same model, reproduce it. */
export const provenanceSchema = z.object({
  /** Task kind or step type that produced the artifact. */
  task: z.string().min(1),
  /** The step's resolved inputs (artifact inputs appear as their ids). */
  inputs: z.record(z.string(), z.unknown()),
  engine: z.object({
    id: z.string().min(1),
    version: z.string().min(1),
  }),
  model: z
    .object({
      name: z.string().min(1),
      /** sha256 of the model file, when the model is a local file. */
      sha256: z.string().nullable(),
    })
    .nullable(),
  parameters: z.record(z.string(), z.unknown()),
  seed: z.number().int().nullable(),
  /** Artifacts this one was derived from. */
  parents: z.array(z.string()),
  timings: z.object({
    startedAt: z.string(),
    finishedAt: z.string(),
    durationMs: z.number().nonnegative(),
  }),
});

export type Provenance = z.infer<typeof provenanceSchema>;
