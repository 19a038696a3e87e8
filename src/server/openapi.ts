import { z } from 'zod';
import { VERSION } from '../version.ts';
import type { RouteDoc } from './route-book.ts';

const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { message: { type: 'string' }, type: { type: 'string' }, param: { type: ['string', 'null'] }, code: { type: 'string' }, hint: { type: 'string' }, details: { type: 'object' } },
      required: ['message', 'type', 'param', 'code'],
    },
  },
  required: ['error'],
};

function bodySchema(schema: z.ZodType): unknown {
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  } catch {
    return { type: 'object' };
  }
}

/** The OpenAPI 3.1 document, generated from the routes' own zod schemas. */
export function buildOpenApi(docs: readonly RouteDoc[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const doc of docs) {
    const path = doc.path.replace(/:(\w+)/g, '{$1}');
    const params = [...doc.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const success =
      doc.successStatus === '204'
        ? { description: 'No Content' }
        : doc.produces === 'sse'
        ? { description: 'Server-Sent Events', content: { 'text/event-stream': { schema: { type: 'string' } } } }
        : doc.produces === 'text'
        ? { description: 'Text', content: { 'text/plain': { schema: { type: 'string' } } } }
        : doc.produces === 'bytes'
          ? { description: 'Bytes', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } }
          : { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } };
    (paths[path] ??= {})[doc.method] = {
      summary: doc.summary,
      tags: [doc.tag],
      ...(doc.scope === null ? {} : { 'x-shenbi-scope': doc.scope }),
      ...(params.length > 0 ? { parameters: params } : {}),
      ...(doc.bodyType === 'bytes' ? { requestBody: { required: true, description: 'The raw bytes of the file; Content-Type is its media type.', content: { '*/*': { schema: { type: 'string', format: 'binary' } } } } } : {}),
      ...(doc.body === undefined ? {} : { requestBody: { required: true, content: { [doc.bodyType === 'multipart' ? 'multipart/form-data' : 'application/json']: { schema: bodySchema(doc.body) } } } }),
      responses: {
        [doc.successStatus ?? (doc.path === '/api/jobs' && doc.method === 'post' ? '202' : '200')]: success,
        default: { description: 'Error (OpenAI error shape; `code` is the stable Shenbi error code)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Shenbi API', version: VERSION, description: 'OpenAI-compatible endpoints under /v1 and the native jobs API under /api. Every output is labeled.' },
    components: { schemas: { Error: errorSchema }, securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'sk-shenbi-… (not needed on a loopback server with no keys)' } } },
    security: [{ apiKey: [] }],
    paths,
  };
}
