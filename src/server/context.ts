import type { Moderator } from '../governance/moderation/index.ts';
import type { Shenbi } from '../shenbi.ts';
import type { ApiScope } from './auth/api-key.ts';
import type { ApiKeyRecord, ApiKeyRepository } from './auth/api-key-repository.ts';
import type { JobEventLog } from './job-event-log.ts';
import type { QuotaMeter } from './quota/quota-meter.ts';
import type { UploadStore } from './uploads/upload-store.ts';
import type { TextModels } from '../pipelines/steps/text/text-models.ts';

/** Who is calling: a tenant through an API key, or the local user of a keyless loopback server. */
export interface Principal {
  tenant: string;
  key: ApiKeyRecord | null;
  scopes: readonly ApiScope[];
}

/**
 * The tenant of requests to a server that has no API keys (loopback only). Reserved: no API
 * key can be made for it (or used with it), so keyless work stays invisible to every key.
 */
export const LOCAL_TENANT = 'local';

/** Everything route handlers use, built once per server. */
export interface ServerServices {
  shenbi: Shenbi;
  keys: ApiKeyRepository;
  events: JobEventLog;
  text: TextModels;
  /** Checks /v1 chat input and output, and answers /v1/moderations (the config's moderation settings). */
  moderator: Moderator;
  /** Users' own media (POST /api/uploads), owned by tenants like jobs. */
  uploads: UploadStore;
  /** Daily token and media-second quotas as reservations: reserve before work, settle after. */
  quotas: QuotaMeter;
}

/** Hono's typed context variables for this server. */
export interface ServerEnv {
  Variables: {
    principal: Principal;
  };
}
