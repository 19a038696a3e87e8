import type { Kysely, Migration } from 'kysely';

/**
 * API keys and tenants for the HTTP server: keys (hashed, with scopes, a rate limit and
 * quotas), per-key usage per day, and which tenant owns each job. Ownership is its own
 * table so the jobs and artifacts tables stay as they are (artifacts belong to their job).
 */
export const apiKeysMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('api_keys')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant', 'text', (c) => c.notNull())
      .addColumn('name', 'text')
      .addColumn('secret_sha256', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('rate_per_minute', 'integer')
      .addColumn('quota_requests', 'integer')
      .addColumn('quota_tokens', 'bigint')
      .addColumn('quota_media_seconds', 'bigint')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema
      .createTable('api_key_usage')
      .ifNotExists()
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('requests', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('tokens', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('media_ms', 'bigint', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('api_key_usage_pk', ['key_id', 'day'])
      .execute();
    await db.schema
      .createTable('api_job_owners')
      .ifNotExists()
      .addColumn('job_id', 'text', (c) => c.primaryKey())
      .addColumn('tenant', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('api_job_owners_tenant').ifNotExists().on('api_job_owners').columns(['tenant', 'job_id']).execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('api_job_owners').ifExists().execute();
    await db.schema.dropTable('api_key_usage').ifExists().execute();
    await db.schema.dropTable('api_keys').ifExists().execute();
  },
};
