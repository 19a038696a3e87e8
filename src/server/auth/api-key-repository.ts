import type { Generated, Kysely } from 'kysely';
import { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';
import { parseOrThrow } from '../../core/validation.ts';
import { databaseFailure } from '../../store/db/database-failure.ts';
import type { Database } from '../../store/db/schema.ts';
import { LOCAL_TENANT } from '../context.ts';
import { apiScopeSchema, hashSecret, newApiKey, type ApiScope } from './api-key.ts';

/** Tables of migration 0004, seen only by this repository. */
type ApiTables = {
  api_keys: {
    id: string;
    tenant: string;
    name: string | null;
    secret_sha256: string;
    scopes: string;
    rate_per_minute: number | null;
    quota_requests: number | null;
    quota_tokens: number | null;
    quota_media_seconds: number | null;
    created_at: string;
    revoked_at: string | null;
  };
  api_key_usage: { key_id: string; day: string; requests: Generated<number>; tokens: Generated<number>; media_ms: Generated<number> };
  api_job_owners: { job_id: string; tenant: string; key_id: string | null; created_at: string };
};

export interface ApiKeyRecord {
  id: string;
  tenant: string;
  name: string | null;
  secretSha256: string;
  scopes: ApiScope[];
  /** Requests per minute (token bucket); null = unlimited. */
  ratePerMinute: number | null;
  /** Per UTC day; null = unlimited. */
  quotaRequests: number | null;
  quotaTokens: number | null;
  quotaMediaSeconds: number | null;
  createdAt: string;
  revokedAt: string | null;
}

export interface ApiKeyUsage {
  day: string;
  requests: number;
  tokens: number;
  mediaMs: number;
}

export const newApiKeySchema = z
  .object({
    tenant: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, ".", "_" or "-", at most 64')
      // The keyless local user's work is recorded under this name: no key may act as it.
      .refine((tenant) => tenant.toLowerCase() !== LOCAL_TENANT, `"${LOCAL_TENANT}" is reserved for the keyless local user; choose another tenant name`),
    name: z.string().max(200).optional(),
    scopes: z.array(apiScopeSchema).min(1),
    ratePerMinute: z.number().int().positive().max(1_000_000).nullable().default(null),
    quotaRequests: z.number().int().positive().nullable().default(null),
    quotaTokens: z.number().int().positive().nullable().default(null),
    quotaMediaSeconds: z.number().int().positive().nullable().default(null),
  })
  .strict();
export type NewApiKey = z.input<typeof newApiKeySchema>;

export function utcDay(now = Date.now()): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** API keys, their daily usage, and which tenant owns which job. */
export class ApiKeyRepository {
  readonly #db: Kysely<Database & ApiTables>;

  constructor(db: Kysely<Database>) {
    this.#db = db.withTables<ApiTables>();
  }

  /** Creates a key; the returned token is shown once and never stored. */
  async create(input: NewApiKey): Promise<{ key: ApiKeyRecord; token: string }> {
    const valid = parseOrThrow(newApiKeySchema, input, 'api key');
    const { id, secret, token } = newApiKey();
    const row = {
      id,
      tenant: valid.tenant,
      name: valid.name ?? null,
      secret_sha256: hashSecret(secret),
      scopes: JSON.stringify([...new Set(valid.scopes)]),
      rate_per_minute: valid.ratePerMinute,
      quota_requests: valid.quotaRequests,
      quota_tokens: valid.quotaTokens,
      quota_media_seconds: valid.quotaMediaSeconds,
      created_at: new Date().toISOString(),
      revoked_at: null,
    };
    await this.#db
      .insertInto('api_keys')
      .values(row)
      .execute()
      .catch((error: unknown) => {
        throw databaseFailure('creating an API key', error);
      });
    return { key: toRecord(row), token };
  }

  async find(id: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.#db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
      .catch((error: unknown) => {
        throw databaseFailure('reading an API key', error);
      });
    return row === undefined ? undefined : toRecord(row);
  }

  async list(): Promise<ApiKeyRecord[]> {
    const rows = await this.#db.selectFrom('api_keys').selectAll().orderBy('created_at').execute();
    return rows.map(toRecord);
  }

  /** Whether any key that is not revoked exists: the server then requires keys. */
  async anyActive(): Promise<boolean> {
    const row = await this.#db.selectFrom('api_keys').select('id').where('revoked_at', 'is', null).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  async revoke(id: string): Promise<void> {
    const result = await this.#db.updateTable('api_keys').set({ revoked_at: new Date().toISOString() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0 && (await this.find(id)) === undefined) {
      throw new ShenbiError('INVALID_INPUT', `No API key ${id}.`, { hint: 'List keys with: shenbi apikeys list' });
    }
  }

  async usage(keyId: string, day = utcDay()): Promise<ApiKeyUsage> {
    const row = await this.#db.selectFrom('api_key_usage').selectAll().where('key_id', '=', keyId).where('day', '=', day).executeTakeFirst();
    return { day, requests: Number(row?.requests ?? 0), tokens: Number(row?.tokens ?? 0), mediaMs: Number(row?.media_ms ?? 0) };
  }

  /**
   * Counts one request against a key's daily request quota, atomically: false (nothing
   * counted) when the quota is used up, so concurrent requests cannot pass it together.
   */
  async countRequest(keyId: string, limit: number | null, day = utcDay()): Promise<boolean> {
    try {
      await this.#db
        .insertInto('api_key_usage')
        .values({ key_id: keyId, day, requests: 0, tokens: 0, media_ms: 0 })
        .onConflict((oc) => oc.columns(['key_id', 'day']).doNothing())
        .execute();
      let update = this.#db
        .updateTable('api_key_usage')
        .set((eb) => ({ requests: eb('requests', '+', 1) }))
        .where('key_id', '=', keyId)
        .where('day', '=', day);
      if (limit !== null) update = update.where('requests', '<', limit);
      return Number((await update.executeTakeFirst()).numUpdatedRows) === 1;
    } catch (error) {
      throw databaseFailure('recording API usage', error);
    }
  }

  /** Adds to today's usage of a key (upsert; safe under concurrent requests). */
  async addUsage(keyId: string, delta: { requests?: number; tokens?: number; mediaMs?: number }, day = utcDay()): Promise<void> {
    const requests = delta.requests ?? 0;
    const tokens = Math.round(delta.tokens ?? 0);
    const mediaMs = Math.round(delta.mediaMs ?? 0);
    await this.#db
      .insertInto('api_key_usage')
      .values({ key_id: keyId, day, requests, tokens, media_ms: mediaMs })
      .onConflict((oc) =>
        oc.columns(['key_id', 'day']).doUpdateSet((eb) => ({
          requests: eb('api_key_usage.requests', '+', requests),
          tokens: eb('api_key_usage.tokens', '+', tokens),
          media_ms: eb('api_key_usage.media_ms', '+', mediaMs),
        })),
      )
      .execute()
      .catch((error: unknown) => {
        throw databaseFailure('recording API usage', error);
      });
  }

  async setJobOwner(jobId: string, tenant: string, keyId: string | null): Promise<void> {
    await this.#db
      .insertInto('api_job_owners')
      .values({ job_id: jobId, tenant, key_id: keyId, created_at: new Date().toISOString() })
      .execute()
      .catch((error: unknown) => {
        throw databaseFailure(`recording the owner of ${jobId}`, error);
      });
  }

  /** The tenant that owns a job, or undefined when no tenant does (made by the CLI or keyless). */
  async jobTenant(jobId: string): Promise<string | undefined> {
    const row = await this.#db.selectFrom('api_job_owners').select('tenant').where('job_id', '=', jobId).executeTakeFirst();
    return row?.tenant;
  }

  async tenantJobIds(tenant: string, limit: number): Promise<string[]> {
    const rows = await this.#db.selectFrom('api_job_owners').select('job_id').where('tenant', '=', tenant).orderBy('job_id', 'desc').limit(limit).execute();
    return rows.map((r) => r.job_id);
  }
}

function toRecord(row: ApiTables['api_keys']): ApiKeyRecord {
  return {
    id: row.id,
    tenant: row.tenant,
    name: row.name,
    secretSha256: row.secret_sha256,
    scopes: z.array(apiScopeSchema).parse(JSON.parse(row.scopes)),
    ratePerMinute: row.rate_per_minute,
    quotaRequests: row.quota_requests === null ? null : Number(row.quota_requests),
    quotaTokens: row.quota_tokens === null ? null : Number(row.quota_tokens),
    quotaMediaSeconds: row.quota_media_seconds === null ? null : Number(row.quota_media_seconds),
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}
