import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Who submitted each job, stored with it so that the restriction travels with the job: a job
 * recovered by another process (or after a restart) still may not read local files when an
 * API key submitted it. Existing jobs of API keys (api_job_owners with a key) are restricted
 * too; every other existing job keeps reading local files as it did.
 */
export const jobCallerMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('jobs').addColumn('caller_tenant', 'text').execute();
    await db.schema.alterTable('jobs').addColumn('local_files', 'integer', (c) => c.notNull().defaultTo(1)).execute();
    await sql`UPDATE jobs SET local_files = 0, caller_tenant = (SELECT o.tenant FROM api_job_owners o WHERE o.job_id = jobs.id)
      WHERE id IN (SELECT job_id FROM api_job_owners WHERE key_id IS NOT NULL)`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('jobs').dropColumn('local_files').execute();
    await db.schema.alterTable('jobs').dropColumn('caller_tenant').execute();
  },
};
