import { z } from 'zod';
import { ShenbiError } from '../../../core/errors.ts';
import { safeFileBase } from '../../../core/file-name.ts';
import { inputPorts } from '../../../core/step-inputs.ts';
import type { StepContext, StepDefinition } from '../../../core/step.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { buildScene } from '../../../engines/scene3d/build-scene.ts';
import { BUILT_IN_OBJECTS, chooseBuiltIn } from '../../../engines/scene3d/library/index.ts';
import { DETAIL_LEVELS, type SceneProgram, type SceneProgramInput } from '../../../engines/scene3d/scene-program.ts';
import { textToScene } from '../../../engines/scene3d/text-to-scene.ts';
import { MODEL_FORMATS, MODEL_MIME_TYPES, type BuiltScene, type ModelFormat } from '../../../engines/scene3d/types.ts';
import { present } from '../present-inputs.ts';
import type { TextModelResolver } from '../text/model-resolver.ts';
import { modelPreviews } from './model-previews.ts';
import { readProgramInput } from './stored-program.ts';

/** The step's inputs, declared once: the port table derives from them (inputPorts). */
export const model3dGenerateInputSchema = z.object({
  prompt: z.string().trim().max(100_000).default(''),
  program: z.string().min(1).max(2_000_000).optional().describe('art_… of a stored scene program, or its JSON'),
  format: z.enum(MODEL_FORMATS).default('glb'),
  /** More files of the same build, stored beside the model (one build, every format a user may want: the studio asks for all). */
  alsoFormats: z.array(z.enum(MODEL_FORMATS)).max(MODEL_FORMATS.length).default([]).describe('more formats of the same build to store beside the model, e.g. ["stl","3mf"]'),
  detail: z.enum(Object.keys(DETAIL_LEVELS) as [keyof typeof DETAIL_LEVELS, ...(keyof typeof DETAIL_LEVELS)[]]).default('medium'),
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(0),
  model: z.string().min(1).max(200).optional().describe('a text model that writes the program (local GGUF or provider:model)'),
  thumbnail: z.boolean().default(true),
  turntable: z.boolean().default(false),
});
type Model3dInput = z.output<typeof model3dGenerateInputSchema>;

export type Model3dSource = 'library' | 'text-model' | 'program';

const ENGINE = { id: 'shenbi-scene3d', version: '1' } as const;

interface ChosenProgram {
  source: Model3dSource;
  built: BuiltScene;
  /** The text model that wrote it (provenance), when one did. */
  textModel?: { name: string; sha256: string | null };
  /** Artifacts it came from (a stored program). */
  parents: string[];
  /** Why the text model's program was replaced by a built-in one. */
  fallback?: string;
}

function builtInList(): string {
  return BUILT_IN_OBJECTS.map((o) => `${o.id} (${[...o.names.zh.slice(0, 1), ...o.names.en.slice(0, 1)].join(', ')})`).join('; ');
}

/**
 * Text → 3D model on the local geometry kernel. The program comes from, in order: `program`
 * (a stored or inline scene program, rebuilt as it is), `model` (a text model writes one, with
 * repair and retry), or the built-in object library chosen from the prompt's words. The model
 * file, the program (so it can be edited and rebuilt with `program=art_…`) and, where Chromium
 * is available, a PNG thumbnail and an MP4 turntable are stored, linked as parents.
 */
export function model3dGenerateStep(resolveModel: TextModelResolver): StepDefinition {
  return {
    type: 'model3d.generate',
    title: 'Generate a 3D model',
    description: 'A scene program (built-in object, text model or given) built into solid geometry: GLB, glTF, STL, 3MF or USDZ.',
    version: '1',
    engine: 'scene3d',
    modelInput: 'model',
    inputs: inputPorts(model3dGenerateInputSchema),
    outputs: {
      model: { type: 'artifact' },
      program: { type: 'artifact' },
      thumbnail: { type: 'artifact', optional: true },
      turntable: { type: 'artifact', optional: true },
      /** Every model file stored, by format (the model itself and alsoFormats). */
      files: { type: 'json' },
      metrics: { type: 'json' },
      source: { type: 'string' },
    },
    // A text model's answer depends on the model file, so its hash is part of the cache key.
    async cacheSalt(inputs) {
      if (typeof inputs.model !== 'string' || inputs.program !== undefined) return null;
      const resolved = await resolveModel(inputs.model);
      return { model: resolved.name, sha256: resolved.sha256 };
    },
    async run(ctx, raw) {
      const input = parseOrThrow(model3dGenerateInputSchema, present(raw), 'model3d.generate input');
      const extra = input.alsoFormats.filter((f) => f !== input.format);
      // The thumbnail renderer reads GLB, whatever format was asked for.
      const formats: ModelFormat[] = [...new Set<ModelFormat>([input.format, ...extra, ...(input.thumbnail || input.turntable ? (['glb'] as const) : [])])];
      const chosen = await chooseProgram(ctx, input, formats, resolveModel);
      const { built } = chosen;
      const bytes = built.files[input.format];
      if (bytes === undefined) throw new ShenbiError('ENGINE_FAILED', `the kernel wrote no ${input.format} file`);
      const base = safeFileBase(built.program.name, 'model');
      const metrics = built.metrics;
      const parameters = {
        source: chosen.source,
        format: input.format,
        detail: input.detail,
        programName: built.program.name,
        triangles: metrics.triangles,
        volumeMm3: metrics.volumeMm3,
        boundingBoxMm: metrics.boundingBoxMm,
        watertight: metrics.watertight,
        ...(chosen.fallback === undefined ? {} : { fallback: chosen.fallback }),
      };
      const seed = input.seed;
      const model = chosen.textModel ?? null;
      ctx.progress({ fraction: 0.7, message: `built ${built.program.name}: ${metrics.triangles} triangles, ${sizeText(metrics.boundingBoxMm.size)} mm` });
      const programArtifact = await ctx.writeArtifact({
        kind: 'json',
        mimeType: 'application/json',
        bytes: Buffer.from(`${JSON.stringify(built.program, null, 2)}\n`, 'utf8'),
        name: `${base}.scene.json`,
        parents: chosen.parents,
        engine: ENGINE,
        model,
        parameters: { source: chosen.source, ...(chosen.fallback === undefined ? {} : { fallback: chosen.fallback }) },
        seed,
      });
      const modelArtifact = await ctx.writeArtifact({
        kind: 'model3d',
        mimeType: MODEL_MIME_TYPES[input.format],
        bytes,
        name: `${base}.${input.format}`,
        parents: [programArtifact.id],
        engine: ENGINE,
        model,
        parameters,
        seed,
      });
      const files: Partial<Record<ModelFormat, string>> = { [input.format]: modelArtifact.id };
      for (const format of extra) {
        const other = built.files[format];
        if (other === undefined) throw new ShenbiError('ENGINE_FAILED', `the kernel wrote no ${format} file`);
        const stored = await ctx.writeArtifact({ kind: 'model3d', mimeType: MODEL_MIME_TYPES[format], bytes: other, name: `${base}.${format}`, parents: [programArtifact.id], engine: ENGINE, model, parameters: { ...parameters, format }, seed });
        files[format] = stored.id;
      }
      const outputs: Record<string, unknown> = { model: modelArtifact.id, program: programArtifact.id, files, metrics, source: chosen.source };
      const glb = built.files.glb;
      if ((input.thumbnail || input.turntable) && glb !== undefined) {
        const previews = await modelPreviews(ctx, glb, input.turntable);
        if (previews !== undefined && input.thumbnail) {
          const thumbnail = await ctx.writeArtifact({ kind: 'image', mimeType: 'image/png', bytes: previews.thumbnail, name: `${base}.png`, parents: [modelArtifact.id], engine: ENGINE, model, parameters: { view: 'start' }, seed });
          outputs.thumbnail = thumbnail.id;
        }
        if (previews?.turntable !== undefined) {
          const turntable = await ctx.writeArtifact({ kind: 'video', mimeType: 'video/mp4', bytes: previews.turntable, name: `${base}-turntable.mp4`, parents: [modelArtifact.id], engine: ENGINE, model, parameters: { view: 'turntable' }, seed });
          outputs.turntable = turntable.id;
        }
      }
      ctx.progress({ fraction: 1, message: 'done' });
      return outputs;
    },
  };
}

function sizeText(size: readonly number[]): string {
  return size.map((n) => Math.round(n)).join(' × ');
}

async function buildProgram(ctx: StepContext, program: SceneProgram | SceneProgramInput, input: Model3dInput, formats: ModelFormat[]): Promise<BuiltScene> {
  ctx.progress({ fraction: 0.3, message: 'building geometry' });
  return buildScene(program, { detail: input.detail, formats }, ctx.signal);
}

async function chooseProgram(ctx: StepContext, input: Model3dInput, formats: ModelFormat[], resolveModel: TextModelResolver): Promise<ChosenProgram> {
  if (input.program !== undefined) {
    const stored = await readProgramInput(ctx, input.program);
    return { source: 'program', built: await buildProgram(ctx, stored.program, input, formats), parents: stored.artifactId === undefined ? [] : [stored.artifactId] };
  }
  if (input.prompt === '') throw new ShenbiError('INVALID_INPUT', 'model3d.generate needs a prompt (or a program).');
  const builtIn = chooseBuiltIn(input.prompt, input.seed);
  if (input.model !== undefined) {
    const resolved = await resolveModel(input.model);
    const textModel = { name: resolved.name, sha256: resolved.sha256 };
    ctx.progress({ fraction: 0.05, message: `${resolved.name} is writing a scene program` });
    try {
      const { built } = await textToScene({
        model: resolved.model,
        prompt: input.prompt,
        seed: input.seed,
        build: { detail: input.detail, formats },
        signal: ctx.signal,
        onRetry: (attempt, errors) => ctx.progress({ fraction: 0.05 + 0.15 * attempt, message: `attempt ${attempt}: invalid program, asking again: ${errors.split('\n').slice(0, 3).join(' ')}` }),
      });
      return { source: 'text-model', built, textModel, parents: [] };
    } catch (error) {
      // A model too small to write a program still gets the user an object the prompt names.
      if (!(error instanceof ShenbiError && error.code === 'SCENE_INVALID') || builtIn === undefined) throw error;
      const fallback = `${resolved.name} wrote no buildable program (${error.message.split('\n')[0]}); used the built-in ${builtIn.object.id}`;
      ctx.progress({ fraction: 0.6, message: `warning: ${fallback}` });
      return { source: 'library', built: await buildProgram(ctx, builtIn.program, input, formats), parents: [], fallback };
    }
  }
  if (builtIn === undefined) {
    throw new ShenbiError('INVALID_INPUT', `No built-in 3D object matches "${input.prompt.slice(0, 80)}". Built-in objects: ${builtInList()}.`, {
      hint: 'Name one of the built-in objects in the prompt, or let a text model write the program: --set model=<installed GGUF name or provider:model> (see `shenbi models list`).',
      details: { builtIn: BUILT_IN_OBJECTS.map((o) => o.id) },
    });
  }
  return { source: 'library', built: await buildProgram(ctx, builtIn.program, input, formats), parents: [] };
}
