import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { toShenbiError } from '../../core/errors.ts';
import { assertModelName } from '../../models/model-name.ts';
import { listPipelines } from '../../pipelines/index.ts';
import { TASKS } from '../../tasks/index.ts';
import type { ServerServices } from '../context.ts';
import { errorBodyFor } from '../http-error.ts';
import type { RouteBook } from '../route-book.ts';

/** Models (installed and recommended, pull with SSE progress), pipelines and tasks. */
export function registerCatalogRoutes(book: RouteBook, services: ServerServices): void {
  const { models } = services.shenbi;

  book.add({ method: 'get', path: '/api/models', summary: 'Installed models and the recommended catalog.', tag: 'models', scope: 'models:read' }, async (c) => {
    const [installed, catalog] = await Promise.all([models.list(), models.catalog()]);
    const have = new Set(installed.map((m) => m.name));
    return c.json({
      installed: installed.map((m) => ({ name: m.name, size: m.size, sha256: m.sha256, source: m.source, verified: m.verified, license: m.license, tasks: m.tasks ?? [], installedAt: m.installedAt })),
      catalog: catalog.map((m) => ({ ...m, installed: have.has(m.name) })),
      providers: services.text.providerNames(),
      // What a request without a model gets (config defaultTextModel / SHENBI_TEXT_MODEL), so a client never invents a name.
      defaults: { text: services.shenbi.config.defaultTextModel },
    });
  });

  book.add(
    { method: 'post', path: '/api/models/:name/pull', summary: 'Pull a catalog model; progress as Server-Sent Events ("progress", then "result" or "error").', tag: 'models', scope: 'models:pull', produces: 'sse' },
    async (c) => {
      // Catalog names only: pulling arbitrary URLs would let a caller make the server fetch anything.
      const name = assertModelName(c.req.param('name')!);
      const abort = new AbortController();
      return streamSSE(c, async (stream) => {
        stream.onAbort(() => abort.abort());
        try {
          const installed = await models.pull(name, {
            signal: abort.signal,
            onProgress: (p) => void stream.writeSSE({ event: 'progress', data: JSON.stringify(p) }).catch(() => {}),
          });
          await stream.writeSSE({ event: 'result', data: JSON.stringify({ name: installed.name, size: installed.size, sha256: installed.sha256, verified: installed.verified }) });
        } catch (error) {
          await stream.writeSSE({ event: 'error', data: JSON.stringify(errorBodyFor(c.get('principal'), toShenbiError(error))) });
        }
      });
    },
  );

  book.add({ method: 'get', path: '/api/pipelines', summary: 'Built-in pipelines with their inputs and outputs.', tag: 'pipelines', scope: null }, async (c) =>
    c.json({
      data: listPipelines().map((p) => ({ id: p.id, title: p.title ?? p.id, description: p.description ?? null, inputs: p.inputs ?? {}, outputs: Object.keys(p.outputs ?? {}), steps: (p.steps ?? []).map((s) => ({ id: s.id, uses: s.uses })) })),
    }),
  );

  book.add({ method: 'get', path: '/api/tasks', summary: 'Task kinds with their input JSON Schemas.', tag: 'pipelines', scope: null }, async (c) =>
    c.json({ data: Object.values(TASKS).map((t) => ({ kind: t.kind, title: t.title, description: t.description, primaryField: t.primaryField, outputs: t.outputs, input: jsonSchemaOf(t.input) })) }),
  );
}

function jsonSchemaOf(schema: z.ZodType): unknown {
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  } catch {
    return null;
  }
}
