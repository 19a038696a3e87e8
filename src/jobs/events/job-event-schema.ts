import { z } from 'zod';
import type { JobEvent } from '../../core/progress.ts';

const base = { jobId: z.string().min(1).max(200), at: z.number().finite() };

/** A JobEvent as it arrives from another process (core/progress.ts is the type). */
export const jobEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('job.started'), ...base, steps: z.array(z.string()) }),
  z.object({ type: z.literal('step.started'), ...base, stepId: z.string(), attempt: z.number().int() }),
  z.object({
    type: z.literal('step.progress'),
    ...base,
    stepId: z.string(),
    stepType: z.string().optional(),
    fraction: z.number().nullable(),
    message: z.string().nullable(),
    etaMs: z.number().nullable(),
  }),
  z.object({
    type: z.literal('step.partial'),
    ...base,
    stepId: z.string(),
    output: z.string(),
    index: z.number().int(),
    artifactId: z.string(),
    text: z.string().nullable(),
  }),
  z.object({
    type: z.literal('step.retry'),
    ...base,
    stepId: z.string(),
    attempt: z.number().int(),
    delayMs: z.number(),
    code: z.string(),
    message: z.string(),
  }),
  z.object({ type: z.literal('step.completed'), ...base, stepId: z.string(), cached: z.boolean(), durationMs: z.number() }),
  z.object({ type: z.literal('job.completed'), ...base, outputs: z.record(z.string(), z.unknown()) }),
  z.object({ type: z.literal('job.failed'), ...base, code: z.string(), message: z.string(), stepId: z.string().nullable() }),
  z.object({ type: z.literal('job.cancelled'), ...base }),
]) satisfies z.ZodType<JobEvent>;
