import type { Kysely, Migration } from 'kysely';

/**
 * Quotas that hold under concurrency: work reserves its estimated tokens and media time
 * before it starts (a conditional update that fails when the reservation would not fit) and
 * settles to what it really used when it ends. The day's row carries the running sums of
 * open reservations; each reservation is a row (with its job, if any), so one left by a
 * crash or restart is settled later from the job's outcome.
 */
export const usageReservationsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('api_key_usage').addColumn('reserved_tokens', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('api_key_usage').addColumn('reserved_media_ms', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema
      .createTable('api_usage_reservations')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('key_id', 'text', (c) => c.notNull())
      /** The usage day it counts against: the day it was made, even if it settles after midnight. */
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('tokens', 'bigint', (c) => c.notNull())
      .addColumn('media_ms', 'bigint', (c) => c.notNull())
      .addColumn('job_id', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('api_usage_reservations_job').ifNotExists().on('api_usage_reservations').column('job_id').execute();
    await db.schema.createIndex('api_usage_reservations_created').ifNotExists().on('api_usage_reservations').column('created_at').execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('api_usage_reservations').ifExists().execute();
    await db.schema.alterTable('api_key_usage').dropColumn('reserved_media_ms').execute();
    await db.schema.alterTable('api_key_usage').dropColumn('reserved_tokens').execute();
  },
};
