import { z } from 'zod';
import { ShenbiError } from '../../../core/errors.ts';
import { inputPorts } from '../../../core/step-inputs.ts';
import type { StepContext, StepDefinition } from '../../../core/step.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import type { ActionPlanInput } from '../../../engines/motion/action-plan.ts';
import type { CloudMotionOptions } from '../../../engines/cloud-motion/index.ts';
import type { MotionClip, MotionMetrics, SynthesizedMotion } from '../../../engines/motion/clip.ts';
import { importHumanMl3d, retargetToRig, writeBvh, writeMotionGlb } from '../../../engines/motion/formats/index.ts';
import { parseMotionPrompt } from '../../../engines/motion/plan/parse-prompt.ts';
import { textToPlan } from '../../../engines/motion/plan/text-to-plan.ts';
import { offThreadTask, runOffThread } from '../../../workers/off-thread.ts';
import { readMediaInput, type MediaPolicy } from '../media-input.ts';
import { present } from '../present-inputs.ts';
import type { TextModelResolver } from '../text/model-resolver.ts';
import * as motionWork from './motion-work.ts';
import { askMotionProvider, isMotionProviderModel } from './provider-motion.ts';
import { readPlanInput } from './stored-plan.ts';

export const MOTION_FORMATS = ['glb', 'bvh'] as const;
export type MotionFormat = (typeof MOTION_FORMATS)[number];
export const MOTION_MIME_TYPES: Readonly<Record<MotionFormat, string>> = { glb: 'model/gltf-binary', bvh: 'application/x-bvh' };

/** The step's inputs, declared once: the port table derives from them (inputPorts). */
export const motionGenerateInputSchema = z.object({
  prompt: z.string().trim().max(100_000).default(''),
  plan: z.string().min(1).max(2_000_000).optional().describe('art_… of a stored action plan, or its JSON'),
  format: z.enum(MOTION_FORMATS).default('glb'),
  fps: z.number().int().min(20).max(60).default(30).describe('20..60 frames per second'),
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(0),
  model: z.string().min(1).max(200).optional().describe('a text model that expands the prompt and writes the plan (local GGUF or provider:model), or a motion server (a motion-http provider:model) that makes the joints'),
  rig: z.string().min(1).max(4096).optional().describe('a GLB/VRM humanoid to retarget the motion onto'),
  joints: z.string().min(1).max(4096).optional().describe('a HumanML3D joint array (.npy or JSON, frames × 22 × 3) to import instead of synthesising'),
});
export type MotionInput = z.output<typeof motionGenerateInputSchema>;

/** Where the plan came from: given, written by a text model, the rule-based parser, or no plan (imported joints). */
export type MotionSource = 'plan' | 'text-model' | 'rules' | 'humanml3d' | 'provider';

const ENGINE = { id: 'shenbi-motion', version: '1' } as const;

const synthesizeTask = offThreadTask(new URL('./motion-work.ts', import.meta.url), motionWork, 'synthesizeAndMeasure');
const measureTask = offThreadTask(new URL('./motion-work.ts', import.meta.url), motionWork, 'measureClip');

export interface MadeMotion {
  source: MotionSource;
  clip: MotionClip;
  metrics: MotionMetrics;
  /** The plan as realised (defaults filled in), stored beside the motion; absent for imported joints. */
  plan?: unknown;
  /** When each action plays (SynthesizedMotion.timeline); absent for imported joints. */
  timeline?: SynthesizedMotion['timeline'];
  parents: string[];
  warnings: string[];
  textModel: { name: string; sha256: string | null } | null;
  /** Who made the joints, when not this engine (a motion provider). */
  engine?: { id: string; version: string };
  /** Extra provenance (a provider's request id). */
  provenance?: Record<string, unknown>;
}

/**
 * Text → motion on the standard skeleton. The plan comes from, in order: `plan` (a stored or
 * inline action plan), `model` (Action-GPT: a text model expands the prompt and writes the
 * plan, the rule-based parser standing in when it cannot), or the rule-based parser; `joints`
 * (a HumanML3D joint array) replaces synthesis altogether. The motion is stored as GLB (a
 * skinned mannequin, or the user's `rig` retargeted) with a BVH beside it, or as BVH; the plan
 * JSON is its parent; the plausibility metrics go into outputs and provenance.
 */
export function motionGenerateStep(resolveModel: TextModelResolver, media: MediaPolicy, motionProviders: () => Omit<CloudMotionOptions, 'signal'> = () => ({})): StepDefinition {
  return {
    type: 'motion.generate',
    title: 'Generate a motion',
    description: 'An action plan (rule-based, text model or given) synthesised on the standard humanoid skeleton: GLB with a mannequin (or your rig) and BVH.',
    version: '1',
    engine: 'motion',
    modelInput: 'model',
    inputs: inputPorts(motionGenerateInputSchema),
    outputs: {
      motion: { type: 'artifact' },
      plan: { type: 'artifact', optional: true },
      bvh: { type: 'artifact', optional: true },
      metrics: { type: 'json' },
      duration: { type: 'number' },
      /** The realised timeline: each action (idle gaps and inserted stand_ups too) with its start, duration and layer, seconds. */
      timeline: { type: 'json', optional: true },
      source: { type: 'string' },
      /** What was read or done other than asked (an unknown word mapped, a model's plan replaced): also progress messages and provenance. */
      warnings: { type: 'json', optional: true },
    },
    // A text model's plan depends on the model file, so its hash is part of the cache key.
    async cacheSalt(inputs) {
      if (typeof inputs.model !== 'string' || inputs.plan !== undefined || inputs.joints !== undefined) return null;
      if (isMotionProviderModel(inputs.model, motionProviders())) return { motionProvider: inputs.model };
      const resolved = await resolveModel(inputs.model);
      return { model: resolved.name, sha256: resolved.sha256 };
    },
    async run(ctx, raw) {
      const input = parseOrThrow(motionGenerateInputSchema, present(raw), 'motion.generate input');
      if (input.rig !== undefined && input.format !== 'glb') {
        throw new ShenbiError('INVALID_INPUT', 'A rig is retargeted into GLB: use format=glb with rig (the BVH is always of the standard skeleton).');
      }
      const fromProvider = input.model !== undefined && isMotionProviderModel(input.model, motionProviders());
      const made = fromProvider ? await askMotionProvider(ctx, input, motionProviders()) : input.joints !== undefined ? await importJoints(ctx, input, media) : await synthesize(ctx, input, resolveModel);
      for (const warning of made.warnings) ctx.progress({ message: `warning: ${warning}` });
      const { clip, metrics } = made;
      const duration = clip.frameCount / clip.fps;
      const seed = input.seed;
      const model = made.textModel;
      const engine = made.engine ?? ENGINE;
      const parameters = { ...made.provenance, source: made.source, format: input.format, fps: clip.fps, frames: clip.frameCount, duration, metrics, ...(made.warnings.length === 0 ? {} : { warnings: made.warnings }) };
      ctx.progress({ fraction: 0.7, message: `${duration.toFixed(2)} s at ${clip.fps} fps; foot skate ${metrics.footSkateCmPerS.toFixed(2)} cm/s, float ${metrics.floatCm.toFixed(2)} cm, penetration ${metrics.penetrationCm.toFixed(2)} cm` });

      const outputs: Record<string, unknown> = { metrics, duration, source: made.source, ...(made.timeline === undefined ? {} : { timeline: made.timeline }), ...(made.warnings.length === 0 ? {} : { warnings: made.warnings }) };
      let motionParents = made.parents;
      if (made.plan !== undefined) {
        const planArtifact = await ctx.writeArtifact({
          kind: 'json',
          mimeType: 'application/json',
          bytes: Buffer.from(`${JSON.stringify(made.plan, null, 2)}\n`, 'utf8'),
          name: 'motion.plan.json',
          parents: made.parents,
          engine,
          model,
          parameters: { source: made.source },
          seed,
        });
        outputs.plan = planArtifact.id;
        motionParents = [planArtifact.id];
      }
      const rig = input.rig === undefined ? undefined : await readMediaInput(ctx, input.rig, media, 'image');
      if (rig !== undefined) motionParents = [...motionParents, ...rig.parents];
      const bvh = Buffer.from(writeBvh(clip), 'utf8');
      if (input.format === 'bvh') {
        const stored = await ctx.writeArtifact({ kind: 'motion', mimeType: MOTION_MIME_TYPES.bvh, bytes: bvh, name: 'motion.bvh', parents: motionParents, engine, model, parameters, seed });
        outputs.motion = stored.id;
      } else {
        ctx.progress({ fraction: 0.8, message: rig === undefined ? 'writing the GLB mannequin' : `retargeting onto ${rig.name}` });
        const glb = rig === undefined ? await writeMotionGlb(clip, { name: 'motion' }) : await retargetToRig(clip, rig.bytes);
        const stored = await ctx.writeArtifact({ kind: 'motion', mimeType: MOTION_MIME_TYPES.glb, bytes: Buffer.from(glb), name: 'motion.glb', parents: motionParents, engine, model, parameters: { ...parameters, ...(rig === undefined ? {} : { rig: rig.name }) }, seed });
        outputs.motion = stored.id;
        const beside = await ctx.writeArtifact({ kind: 'motion', mimeType: MOTION_MIME_TYPES.bvh, bytes: bvh, name: 'motion.bvh', parents: motionParents, engine, model, parameters: { ...parameters, format: 'bvh' }, seed });
        outputs.bvh = beside.id;
      }
      ctx.progress({ fraction: 1, message: 'done' });
      return outputs;
    },
  };
}

async function importJoints(ctx: StepContext, input: MotionInput, media: MediaPolicy): Promise<MadeMotion> {
  if (input.plan !== undefined) throw new ShenbiError('INVALID_INPUT', 'Give joints (to import) or a plan (to synthesise), not both.');
  const read = await readMediaInput(ctx, input.joints!, media, 'text');
  ctx.progress({ fraction: 0.2, message: `importing HumanML3D joints from ${read.name}` });
  const clip = importHumanMl3d(new Uint8Array(read.bytes.buffer, read.bytes.byteOffset, read.bytes.byteLength), { fps: input.fps });
  const metrics = await runOffThread(measureTask, [clip], { signal: ctx.signal });
  return { source: 'humanml3d', clip, metrics, parents: read.parents, warnings: [], textModel: null };
}

async function synthesize(ctx: StepContext, input: MotionInput, resolveModel: TextModelResolver): Promise<MadeMotion> {
  const chosen = await choosePlan(ctx, input, resolveModel);
  ctx.progress({ fraction: 0.4, message: `synthesising ${chosen.plan.actions.map((a) => a.action).join(' → ')}` });
  const { motion, metrics } = await runOffThread(synthesizeTask, [chosen.plan, { fps: input.fps, seed: input.seed }], { signal: ctx.signal });
  return { ...chosen, clip: motion.clip, metrics, plan: motion.plan, timeline: motion.timeline, warnings: [...chosen.warnings, ...motion.warnings] };
}

interface ChosenPlan {
  source: MotionSource;
  plan: ActionPlanInput;
  parents: string[];
  warnings: string[];
  textModel: { name: string; sha256: string | null } | null;
}

async function choosePlan(ctx: StepContext, input: MotionInput, resolveModel: TextModelResolver): Promise<ChosenPlan> {
  if (input.plan !== undefined) {
    const stored = await readPlanInput(ctx, input.plan);
    return { source: 'plan', plan: stored.plan, parents: stored.artifactId === undefined ? [] : [stored.artifactId], warnings: [], textModel: null };
  }
  if (input.prompt === '') throw new ShenbiError('INVALID_INPUT', 'motion.generate needs a prompt (or a plan, or joints to import).');
  if (input.model !== undefined) {
    const resolved = await resolveModel(input.model);
    ctx.progress({ fraction: 0.05, message: `${resolved.name} is expanding the prompt and writing an action plan` });
    const result = await textToPlan({
      model: resolved.model,
      prompt: input.prompt,
      seed: input.seed,
      signal: ctx.signal,
      onRetry: (attempt, errors) => ctx.progress({ fraction: 0.05 + 0.1 * attempt, message: `attempt ${attempt}: invalid action plan, asking again: ${errors.split('\n').slice(0, 3).join(' ')}` }),
    });
    return { source: result.source, plan: result.plan, parents: [], warnings: result.warnings, textModel: { name: resolved.name, sha256: resolved.sha256 } };
  }
  const parsed = parseMotionPrompt(input.prompt);
  return { source: 'rules', plan: parsed.plan, parents: [], warnings: parsed.warnings, textModel: null };
}
