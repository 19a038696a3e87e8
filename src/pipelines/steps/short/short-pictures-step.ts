import { z } from 'zod';
import { inputPorts } from '../../../core/step-inputs.ts';
import type { StepContext, StepDefinition } from '../../../core/step.ts';
import { present } from '../present-inputs.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { proceduralCardEngine } from '../../../engines/procedural-card/index.ts';
import { seedFromText } from '../../../engines/seeded-random.ts';
import { SHORT_LIMITS, shortScriptSchema, type ScenePicture, type ShortScene, type ShortScript } from '../../../engines/short/short-script.ts';
import type { MediaPolicy } from '../media-input.ts';
import { readStoredJsonInput } from '../stored-json-input.ts';
import { generatePicture, PictureFailure, resolvePictureModel, type PictureEngines, type PictureModel } from './picture-sources.ts';
import { CARD_SIZES, renderSceneCard } from './scene-cards.ts';
import type { SceneLayout } from './scene-card-layouts.ts';
import { readUserPictures } from './user-pictures.ts';

const inputSchema = z.object({
  /** The ShortScript itself, or an art_ id / JSON text of one. */
  script: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).describe('The short script (ShortScript), or an art_ id of one.'),
  /** The user's pictures (art_/upl_ ids, URLs, or paths for local callers), given to scenes in order; one may be given bare. */
  pictures: z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(z.string().trim().min(1).max(4096)).max(SHORT_LIMITS.maxScenes * 2)).default([]).describe("The user's pictures for scenes in order: art_/upl_ ids (paths for local callers)."),
  /** provider:model, a ComfyUI/A1111 server's model, or an installed diffusion model; absent: designed cards. */
  model: z.string().trim().min(1).max(300).optional().describe('An image model: provider:model, a ComfyUI/A1111 model, or an installed diffusion model. Absent: designed cards.'),
  /** Added to every scene's image prompt ("watercolour, soft light"). */
  style: z.string().trim().max(300).optional().describe('Added to every picture prompt.'),
  aspect: z.enum(['9:16', '16:9', '1:1']).default('9:16'),
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
});
type Input = z.output<typeof inputSchema>;

export interface ShortPicturesDeps {
  engines: PictureEngines;
  media: MediaPolicy;
}

/**
 * A picture per scene of a short, by preference: the user's own picture for that scene, else
 * one from `model`, else a designed card in the scene mood's colours. A model that fails while
 * generating (after its tries) is not asked again: that scene and the rest become cards, each
 * with a note, and a progress warning says so. A model that cannot resolve at all (unknown
 * provider, missing key, no such diffusion model) fails the step before any picture is made.
 */
export function shortPicturesStep(deps: ShortPicturesDeps): StepDefinition {
  return {
    type: 'video.short-pictures',
    title: 'Pictures for a short',
    description: "A picture per scene: the user's own, one from an image model, or a designed card.",
    version: '1',
    inputs: inputPorts(inputSchema),
    outputs: {
      pictures: { type: 'json', description: 'ScenePicture[]: one per scene, { artifact, source, note? }; for source "upload", artifact is the art_/upl_ id, URL or file path as read.' },
      warnings: { type: 'json', optional: true },
    },
    async run(ctx, inputs) {
      const input = parseOrThrow(inputSchema, present(inputs), 'video.short-pictures input');
      const script = await readScript(ctx, input.script);
      // Everything that can be refused is checked before any picture is stored.
      const user = await readUserPictures(ctx, input.pictures.slice(0, script.scenes.length), deps.media);
      const model = input.model === undefined ? undefined : await resolvePictureModel(input.model, deps.engines, ctx.caller);
      const warnings: string[] = [];
      if (input.pictures.length > script.scenes.length) warnings.push(`${input.pictures.length - script.scenes.length} picture(s) beyond the ${script.scenes.length} scenes are unused`);
      const seed = input.seed ?? seedFromText(JSON.stringify(script));
      const pictures = await scenePictures(ctx, { script, input, user, model, seed, warnings });
      for (const warning of warnings) ctx.progress({ message: `warning: ${warning}` });
      // Cards that stood in for a failing model are not the answer to keep: the next run asks again.
      const fellBack = pictures.filter((p) => p.source === 'card' && p.note !== undefined);
      if (fellBack.length > 0) ctx.keepOutOfCache?.(`${fellBack.length} scene(s) fell back to cards`);
      return { pictures: pictures.map((p) => ({ ...p })), ...(warnings.length === 0 ? {} : { warnings }) };
    },
  };
}

async function readScript(ctx: StepContext, value: Input['script']): Promise<ShortScript> {
  const json = typeof value === 'string' ? (await readStoredJsonInput(ctx, value, { port: 'script', what: 'short script', notJsonCode: 'INVALID_INPUT' })).json : value;
  return parseOrThrow(shortScriptSchema, json, 'script');
}

interface Plan {
  script: ShortScript;
  input: Input;
  user: readonly { ref: string }[];
  model: PictureModel | undefined;
  seed: number;
  warnings: string[];
}

async function scenePictures(ctx: StepContext, plan: Plan): Promise<ScenePicture[]> {
  const { script, input, model } = plan;
  const total = script.scenes.length;
  const pictures: ScenePicture[] = [];
  /** Set once the model failed: later scenes are cards without asking it again. */
  let sourceDown: string | undefined;
  let previousLayout: SceneLayout | undefined;
  for (const [i, scene] of script.scenes.entries()) {
    const seed = (plan.seed + i) >>> 0;
    const report = (share: number, message: string) => ctx.progress({ fraction: (i + share) / total, message: `scene ${i + 1}/${total}: ${message}` });
    const own = plan.user[i];
    if (own !== undefined) {
      pictures.push({ artifact: own.ref, source: 'upload' });
      previousLayout = undefined;
      continue;
    }
    let note: string | undefined;
    if (model !== undefined && sourceDown === undefined) {
      const prompt = promptFor(scene, input.style);
      report(0, `asking ${model.spec}`);
      try {
        const made = await generatePicture(ctx, model, { prompt, aspect: input.aspect, seed, onProgress: (share) => report(share, `painting (${Math.round(share * 100)}%)`) });
        const artifact = await ctx.writeArtifact({
          kind: 'image',
          mimeType: 'image/png',
          bytes: made.bytes,
          name: `scene-${i + 1}.png`,
          engine: made.engine,
          model: { name: model.spec, sha256: null },
          parameters: { scene: i + 1, source: model.source, prompt, aspect: input.aspect, width: made.width, height: made.height, ...made.parameters },
          seed: made.seed,
        });
        pictures.push({ artifact: artifact.id, source: model.source });
        previousLayout = undefined;
        continue;
      } catch (error) {
        if (!(error instanceof PictureFailure)) throw error;
        note = error.note;
        if (error.scope === 'source') {
          sourceDown = error.note;
          plan.warnings.push(`scene ${i + 1}: ${error.note}; scenes ${i + 1}–${total} are designed cards`);
        } else {
          plan.warnings.push(`scene ${i + 1}: ${error.note}; this scene is a designed card`);
        }
      }
    } else if (sourceDown !== undefined) {
      note = `not asked: ${sourceDown}`;
    }
    report(0.5, 'drawing a card');
    const mood = scene.mood ?? script.mood;
    const card = await renderSceneCard({ mood, words: [scene.visual, scene.caption, scene.narration], previous: previousLayout, aspect: input.aspect, seed });
    previousLayout = card.layout;
    const artifact = await ctx.writeArtifact({
      kind: 'image',
      mimeType: card.mimeType,
      bytes: card.bytes,
      name: `scene-${i + 1}.jpg`,
      engine: { id: proceduralCardEngine.id, version: proceduralCardEngine.version },
      model: null,
      parameters: { scene: i + 1, source: 'card', design: `scene-card/${card.layout}`, title: cardTitle(scene), mood, palette: [...card.palette], aspect: input.aspect, ...CARD_SIZES[input.aspect], ...(note === undefined ? {} : { note }) },
      seed,
    });
    pictures.push({ artifact: artifact.id, source: 'card', ...(note === undefined ? {} : { note }) });
  }
  return pictures;
}

/** The scene's visual (what the picture shows), or its narration when it has none, plus the style. */
export function promptFor(scene: ShortScene, style: string | undefined): string {
  const subject = scene.visual !== '' ? scene.visual : scene.narration;
  return style === undefined || style === '' ? subject : `${subject}, ${style}`;
}

/** What the card stands for (kept in its provenance; not drawn — the video draws captions over it). */
function cardTitle(scene: ShortScene): string {
  if (scene.caption !== '') return scene.caption;
  const chars = [...scene.narration];
  return chars.length <= 24 ? scene.narration : `${chars.slice(0, 23).join('')}…`;
}
