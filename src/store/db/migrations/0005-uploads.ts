import type { Kysely, Migration } from 'kysely';

/**
 * Files users upload (POST /api/uploads): who owns each (tenant, key), what it is, and when
 * it expires. The bytes live on disk under config.uploads.dir, named by id; they are the
 * user's own material and never become artifacts.
 */
export const uploadsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('uploads')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text')
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('media_type', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('uploads_expires_at').ifNotExists().on('uploads').column('expires_at').execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('uploads').ifExists().execute();
  },
};
