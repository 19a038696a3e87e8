import type { Kysely, Migration } from 'kysely';

/**
 * The first schema. Types are chosen to mean the same on SQLite and PostgreSQL: TEXT for
 * ids, JSON and ISO timestamps; BIGINT for byte sizes and epoch milliseconds. Every
 * statement is IF NOT EXISTS, because Kysely runs SQLite migrations outside a transaction
 * and two processes may open a fresh database at the same moment.
 */
export const initialMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('jobs')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('pipeline_id', 'text', (c) => c.notNull())
      .addColumn('spec', 'text', (c) => c.notNull())
      .addColumn('input', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('outputs', 'text')
      .addColumn('error_code', 'text')
      .addColumn('error_message', 'text')
      .addColumn('error_detail', 'text')
      .addColumn('recoveries', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('owner', 'text')
      .addColumn('heartbeat_at', 'bigint')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text')
      .addColumn('finished_at', 'text')
      .execute();
    // `jobs list --status` and recovery scans; newest-first listings.
    await db.schema.createIndex('jobs_status_created_at').ifNotExists().on('jobs').columns(['status', 'created_at']).execute();
    await db.schema.createIndex('jobs_created_at').ifNotExists().on('jobs').column('created_at').execute();

    await db.schema
      .createTable('job_steps')
      .ifNotExists()
      .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
      .addColumn('step_id', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('cache_key', 'text')
      .addColumn('outputs', 'text')
      .addColumn('error_code', 'text')
      .addColumn('error_message', 'text')
      .addColumn('error_detail', 'text')
      .addColumn('started_at', 'text')
      .addColumn('finished_at', 'text')
      .addPrimaryKeyConstraint('job_steps_pk', ['job_id', 'step_id'])
      .execute();

    // No foreign key to jobs: artifacts outlive the jobs that made them, and imports have none.
    await db.schema
      .createTable('artifacts')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('mime_type', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('blob_ref', 'text', (c) => c.notNull())
      .addColumn('name', 'text')
      .addColumn('job_id', 'text')
      .addColumn('step_id', 'text')
      .addColumn('provenance', 'text', (c) => c.notNull())
      .addColumn('labels', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('artifacts_job_id_created_at').ifNotExists().on('artifacts').columns(['job_id', 'created_at']).execute();
    await db.schema.createIndex('artifacts_created_at').ifNotExists().on('artifacts').column('created_at').execute();
    // Finding whether a blob is still referenced before deleting it.
    await db.schema.createIndex('artifacts_blob_ref').ifNotExists().on('artifacts').column('blob_ref').execute();

    await db.schema
      .createTable('step_cache')
      .ifNotExists()
      .addColumn('cache_key', 'text', (c) => c.primaryKey())
      .addColumn('step_type', 'text', (c) => c.notNull())
      .addColumn('outputs', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('hits', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('step_cache').ifExists().execute();
    await db.schema.dropTable('artifacts').ifExists().execute();
    await db.schema.dropTable('job_steps').ifExists().execute();
    await db.schema.dropTable('jobs').ifExists().execute();
  },
};
