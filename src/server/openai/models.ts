import type { ServerServices } from '../context.ts';
import type { RouteBook } from '../route-book.ts';

/** GET /v1/models: installed local models and the configured providers' models. */
export function registerOpenAiModelRoutes(book: RouteBook, services: ServerServices): void {
  book.add({ method: 'get', path: '/v1/models', summary: 'OpenAI model list: installed models and configured provider models.', tag: 'openai', scope: null }, async (c) => {
    const installed = await services.shenbi.models.list();
    const local = installed.map((m) => ({ id: m.name, object: 'model' as const, created: Math.floor(Date.parse(m.installedAt) / 1000), owned_by: 'local' }));
    const cloud = services.text.providerNames().map((id) => ({ id, object: 'model' as const, created: 0, owned_by: id.split(':')[0]! }));
    return c.json({ object: 'list', data: [...local, ...cloud] });
  });
}
