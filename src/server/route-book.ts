import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import type { ApiScope } from './auth/api-key.ts';
import type { ServerEnv } from './context.ts';
import { requireScope } from './middleware/authenticate.ts';

/** One route as the OpenAPI document describes it. */
export interface RouteDoc {
  method: 'get' | 'post' | 'delete';
  /** Hono syntax: `/api/jobs/:id`. */
  path: string;
  summary: string;
  tag: 'openai' | 'jobs' | 'artifacts' | 'uploads' | 'models' | 'pipelines' | 'meta';
  /** null: any caller (still authenticated when keys exist). */
  scope: ApiScope | null;
  body?: z.ZodType;
  bodyType?: 'json' | 'multipart' | 'bytes';
  /** What a success returns: JSON, SSE, bytes, or plain text (Prometheus metrics). */
  produces?: 'json' | 'sse' | 'bytes' | 'text';
  /** The status of a success when it is not 200. */
  successStatus?: '201' | '202' | '204';
}

/**
 * Registers routes on the app and keeps their docs, so the OpenAPI document is generated
 * from the same zod schemas the handlers validate with, and every route states its scope.
 */
export class RouteBook {
  readonly docs: RouteDoc[] = [];

  constructor(private readonly app: Hono<ServerEnv>) {}

  add(doc: RouteDoc, handler: (c: Context<ServerEnv>) => Response | Promise<Response>): void {
    this.docs.push(doc);
    const method = doc.method.toUpperCase();
    if (doc.scope === null) this.app.on(method, doc.path, handler);
    else this.app.on(method, doc.path, requireScope(doc.scope), handler);
  }
}
