import { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';
import { providerJson } from '../cloud-music/http.ts';
import { dataUri } from './image-data.ts';
import { generationFailed, pollUntil } from './poll.ts';
import type { Cloud3dContext, Cloud3dRequest, ModelLocation } from './types.ts';

/**
 * Meshy (`Authorization: Bearer msy-…`). Text-to-3D is two tasks on one endpoint:
 * `POST /openapi/v2/text-to-3d {mode: "preview", prompt}` makes the untextured mesh, then
 * `{mode: "refine", preview_task_id}` textures it. Image-to-3D is one task,
 * `POST /openapi/v1/image-to-3d {image_url}` (a data URI is accepted). Each create answers
 * `{result: taskId}`; `GET …/{id}` is polled until SUCCEEDED, and the GLB is in `model_urls.glb`
 * (`output.model_urls.glb` in the newer task object).
 *
 * The model id is Meshy's `ai_model` (`latest`, `meshy-6` …); `meshy:<ai_model>:preview` stops
 * after the untextured preview.
 */

const createdSchema = z.object({ result: z.string().min(1) });
const modelUrlsSchema = z.object({ glb: z.string().optional() }).passthrough();
const taskSchema = z.object({
  id: z.string(),
  status: z.string(),
  progress: z.number().optional(),
  model_urls: modelUrlsSchema.nullish(),
  output: z.object({ model_urls: modelUrlsSchema.nullish() }).passthrough().nullish(),
  thumbnail_url: z.string().nullish(),
  task_error: z.object({ message: z.string().optional() }).passthrough().nullish(),
});
type MeshyTask = z.infer<typeof taskSchema>;

const RUNNING = new Set(['PENDING', 'IN_PROGRESS']);

function aiModel(ctx: Cloud3dContext): { model: string; previewOnly: boolean } {
  const [model = 'latest', stage] = ctx.modelId.split(':');
  if (stage !== undefined && stage !== 'preview') throw new ShenbiError('INVALID_INPUT', `${ctx.spec}: a Meshy model is <ai_model> or <ai_model>:preview`);
  return { model, previewOnly: stage === 'preview' };
}

async function create(path: string, body: Record<string, unknown>, ctx: Cloud3dContext): Promise<string> {
  const answer = await providerJson(`${ctx.baseURL}${path}`, { method: 'POST', headers: { ...ctx.headers, 'content-type': 'application/json' }, body: JSON.stringify(body) }, ctx);
  const parsed = createdSchema.safeParse(answer);
  if (!parsed.success) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: Meshy gave no task id: ${JSON.stringify(answer).slice(0, 300)}`);
  return parsed.data.result;
}

async function waitForTask(path: string, id: string, ctx: Cloud3dContext): Promise<MeshyTask> {
  const task = await pollUntil(async () => {
    const answer = await providerJson(`${ctx.baseURL}${path}/${encodeURIComponent(id)}`, { method: 'GET', headers: ctx.headers }, ctx);
    const parsed = taskSchema.safeParse(answer);
    if (!parsed.success) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: unexpected Meshy task answer: ${JSON.stringify(answer).slice(0, 300)}`);
    return RUNNING.has(parsed.data.status) ? undefined : parsed.data;
  }, ctx, `task ${id}`);
  if (task.status !== 'SUCCEEDED') throw generationFailed(ctx, id, task.status, task.task_error?.message);
  return task;
}

function glbOf(task: MeshyTask, ctx: Cloud3dContext): ModelLocation {
  const url = task.output?.model_urls?.glb ?? task.model_urls?.glb;
  if (!url) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: task ${task.id} succeeded without a GLB URL`);
  return { url, requestId: task.id };
}

export async function meshyModel(request: Cloud3dRequest, ctx: Cloud3dContext): Promise<ModelLocation> {
  const { model, previewOnly } = aiModel(ctx);
  const seed = request.seed === undefined ? {} : { seed: request.seed };
  if (request.image) {
    const path = '/openapi/v1/image-to-3d';
    const id = await create(path, { image_url: dataUri(request.image), ai_model: model, should_texture: !previewOnly, enable_pbr: !previewOnly, ...(request.prompt ? { texture_prompt: request.prompt.slice(0, 600) } : {}), ...seed }, ctx);
    return glbOf(await waitForTask(path, id, ctx), ctx);
  }
  if (!request.prompt) throw new ShenbiError('INVALID_INPUT', `${ctx.spec}: give a prompt or an image`);
  const path = '/openapi/v2/text-to-3d';
  // Meshy takes at most 600 characters of prompt.
  const previewId = await create(path, { mode: 'preview', prompt: request.prompt.slice(0, 600), ai_model: model, ...seed }, ctx);
  const preview = await waitForTask(path, previewId, ctx);
  if (previewOnly) return glbOf(preview, ctx);
  const refineId = await create(path, { mode: 'refine', preview_task_id: previewId, enable_pbr: true }, ctx);
  return glbOf(await waitForTask(path, refineId, ctx), ctx);
}
