import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { ShenbiError } from '../core/errors.ts';
import { parseOrThrow } from '../core/validation.ts';
import { databaseFailure } from './db/database-failure.ts';
import type { Database } from './db/schema.ts';
import type { ConversationRole, ConversationStore, ConversationTurn } from './types.ts';

const idSchema = z.string().min(1).max(200);
const turnSchema = z.object({
  role: z.enum(['user', 'assistant', 'system']),
  speaker: z.string().max(200).nullable(),
  content: z.string().max(200_000),
});

/** First key of the PostgreSQL advisory locks that serialise appends (ASCII "SHNB"); the second is the id's hash. */
const APPEND_LOCK_CLASS = 0x53_48_4e_42;
/** SQLite only (another process may hold the same file): how long a writer keeps retrying a taken position. */
const RETRY_WITHIN_MS = 10_000;

/**
 * Turns keyed by (conversation, position). Appending reads the last position and inserts
 * after it in one transaction. On PostgreSQL the transaction first takes an advisory lock
 * on the conversation, so concurrent writers (any process) queue instead of colliding on the
 * primary key; a SQLite database has one writer at a time, and a writer in another process
 * that took the position first makes this one retry, with jittered backoff, within a deadline.
 * Either way no turn is lost or reordered and each batch stays together.
 */
export class SqlConversationStore implements ConversationStore {
  readonly #db: Kysely<Database>;
  readonly #dialect: 'sqlite' | 'postgres';

  constructor(db: Kysely<Database>, dialect: 'sqlite' | 'postgres' = 'sqlite') {
    this.#db = db;
    this.#dialect = dialect;
  }

  async append(conversationId: string, turns: readonly Omit<ConversationTurn, 'createdAt'>[]): Promise<number> {
    parseOrThrow(idSchema, conversationId, 'conversation id');
    const valid = turns.map((t, i) => parseOrThrow(turnSchema, t, `turn ${i}`));
    const giveUpAt = Date.now() + RETRY_WITHIN_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#db.transaction().execute(async (trx) => {
          // Held to the end of the transaction: the next writer reads the position after ours.
          if (this.#dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(${APPEND_LOCK_CLASS}, hashtext(${conversationId}))`.execute(trx);
          const last = await trx
            .selectFrom('conversation_turns')
            .select((eb) => eb.fn.max('position').as('last'))
            .where('conversation_id', '=', conversationId)
            .executeTakeFirst();
          const start = last?.last === null || last?.last === undefined ? 0 : Number(last.last) + 1;
          if (valid.length > 0) {
            const createdAt = new Date().toISOString();
            await trx
              .insertInto('conversation_turns')
              .values(valid.map((t, i) => ({ conversation_id: conversationId, position: start + i, role: t.role, speaker: t.speaker, content: t.content, created_at: createdAt })))
              .execute();
          }
          return start + valid.length;
        });
      } catch (error) {
        if (/unique|duplicate|constraint/i.test(String((error as Error).message)) && Date.now() < giveUpAt) {
          await sleep(Math.random() * Math.min(200, 5 * 2 ** attempt));
          continue;
        }
        throw databaseFailure(`appending to conversation ${conversationId}`, error);
      }
    }
  }

  async history(conversationId: string, limit?: number): Promise<ConversationTurn[]> {
    parseOrThrow(idSchema, conversationId, 'conversation id');
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) throw new ShenbiError('INVALID_INPUT', `history limit must be a non-negative integer, got ${limit}`);
    let query = this.#db
      .selectFrom('conversation_turns')
      .select(['role', 'speaker', 'content', 'created_at', 'position'])
      .where('conversation_id', '=', conversationId)
      .orderBy('position', 'desc');
    if (limit !== undefined) query = query.limit(limit);
    const rows = await query.execute().catch((error: unknown) => {
      throw databaseFailure(`reading conversation ${conversationId}`, error);
    });
    return rows.reverse().map((r) => ({ role: r.role as ConversationRole, speaker: r.speaker, content: r.content, createdAt: r.created_at }));
  }

  async clear(conversationId: string): Promise<void> {
    parseOrThrow(idSchema, conversationId, 'conversation id');
    await this.#db
      .deleteFrom('conversation_turns')
      .where('conversation_id', '=', conversationId)
      .execute()
      .catch((error: unknown) => {
        throw databaseFailure(`clearing conversation ${conversationId}`, error);
      });
  }
}
