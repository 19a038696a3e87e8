import type { Kysely, Migration } from 'kysely';

/**
 * Conversation memory (game NPCs, chat): one row per turn, in order. Kept apart from jobs
 * because a conversation outlives any one reply job. IF NOT EXISTS for the same reason as 0001.
 */
export const conversationsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('conversation_turns')
      .ifNotExists()
      .addColumn('conversation_id', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('speaker', 'text')
      .addColumn('content', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('conversation_turns_pk', ['conversation_id', 'position'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('conversation_turns').ifExists().execute();
  },
};
