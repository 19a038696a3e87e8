import { z } from 'zod';

/**
 * Pipelines are data: a graph of steps whose inputs are literals, pipeline inputs or
 * other steps' outputs. Being data, a pipeline can be validated before it runs, cached
 * step by step, stored with its job and drawn by the studio.
 */

/** Value types that flow along edges. `artifact` values are artifact ids. */
export const PORT_TYPES = ['string', 'number', 'integer', 'boolean', 'json', 'artifact'] as const;
export type PortType = (typeof PORT_TYPES)[number];

export const portSpecSchema = z.object({
  type: z.enum(PORT_TYPES),
  description: z.string().optional(),
  optional: z.boolean().optional(),
  /** Literal default used when the binding is absent. */
  default: z.unknown().optional(),
});
export type PortSpec = z.infer<typeof portSpecSchema>;

/** `{ "$from": "inputs.prompt" }` or `{ "$from": "<stepId>.<output>" }`. */
export const bindingRefSchema = z.object({ $from: z.string().regex(/^[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*$/) }).strict();
export type BindingRef = z.infer<typeof bindingRefSchema>;

export function isBindingRef(value: unknown): value is BindingRef {
  return bindingRefSchema.safeParse(value).success;
}

export const retryPolicySchema = z.object({
  /** Total attempts, including the first. */
  maxAttempts: z.number().int().min(1).max(20),
  initialDelayMs: z.number().int().min(0),
  maxDelayMs: z.number().int().min(0),
  factor: z.number().min(1),
});
export type RetryPolicy = z.infer<typeof retryPolicySchema>;

export const stepNodeSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z_][\w-]*$/, 'step ids are letters, digits, _ and -'),
    /** The step type (a registered StepDefinition). */
    uses: z.string().min(1),
    with: z.record(z.string(), z.unknown()).default({}),
    retry: retryPolicySchema.partial().optional(),
  })
  .strict();
export type StepNode = z.infer<typeof stepNodeSchema>;

export const pipelineSpecSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'pipeline ids are lowercase words joined by -'),
    title: z.string().min(1),
    description: z.string().default(''),
    inputs: z.record(z.string(), portSpecSchema).default({}),
    steps: z.array(stepNodeSchema).min(1),
    /** Pipeline outputs, each bound to a step output. */
    outputs: z.record(z.string(), bindingRefSchema),
  })
  .strict();
export type PipelineSpec = z.infer<typeof pipelineSpecSchema>;
export type PipelineSpecInput = z.input<typeof pipelineSpecSchema>;
