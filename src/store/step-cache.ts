import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { StepOutputs } from '../core/step.ts';
import { parseOrThrow } from '../core/validation.ts';
import { databaseFailure } from './db/database-failure.ts';
import { readJsonColumn } from './db/json-column.ts';
import type { Database } from './db/schema.ts';
import type { StepCache } from './types.ts';

const outputsSchema = z.record(z.string(), z.unknown());
const keySchema = z.string().min(1);

/** Step outputs by cache key (a content hash the runner computes). */
export class SqlStepCache implements StepCache {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** One statement: counts the hit and returns the outputs (nothing on a miss). */
  async get(key: string): Promise<StepOutputs | undefined> {
    parseOrThrow(keySchema, key, 'cache key');
    const row = await this.#db
      .updateTable('step_cache')
      .set((eb) => ({ hits: eb('hits', '+', 1) }))
      .where('cache_key', '=', key)
      .returning('outputs')
      .executeTakeFirst()
      .catch((error: unknown) => {
        throw databaseFailure(`reading cache entry ${key}`, error);
      });
    return row === undefined ? undefined : readJsonColumn(outputsSchema, row.outputs, `cache entry ${key}`);
  }

  /** Replaces an existing entry: the newest result of the same computation wins. */
  async put(key: string, stepType: string, outputs: StepOutputs): Promise<void> {
    parseOrThrow(keySchema, key, 'cache key');
    parseOrThrow(keySchema, stepType, 'step type');
    const valid = parseOrThrow(outputsSchema, outputs, 'step outputs');
    const text = JSON.stringify(valid);
    const createdAt = new Date().toISOString();
    await this.#db
      .insertInto('step_cache')
      .values({ cache_key: key, step_type: stepType, outputs: text, created_at: createdAt })
      .onConflict((oc) => oc.column('cache_key').doUpdateSet({ step_type: stepType, outputs: text, created_at: createdAt }))
      .execute()
      .catch((error: unknown) => {
        throw databaseFailure(`writing cache entry ${key}`, error);
      });
  }
}
