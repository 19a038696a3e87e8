import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { ShenbiError } from '../../core/errors.ts';
import { databaseFailure } from '../../store/db/database-failure.ts';
import type { Database } from '../../store/db/schema.ts';
import { utcDay } from '../auth/api-key-repository.ts';

/** Tables of migrations 0004 + 0007, seen only by this module and the key repository. */
type UsageTables = {
  api_key_usage: { key_id: string; day: string; requests: number; tokens: number; media_ms: number; reserved_tokens: number; reserved_media_ms: number };
  api_usage_reservations: { id: string; key_id: string; day: string; purpose: string; tokens: number; media_ms: number; job_id: string | null; created_at: string };
};

/** Tokens and media milliseconds: what work is expected to use, or did use. */
export interface UsageAmount {
  readonly tokens: number;
  readonly mediaMs: number;
}

/** The daily limits of one key; null = unlimited. */
export interface UsageLimits {
  readonly tokens: number | null;
  readonly mediaSeconds: number | null;
}

export type ReservationPurpose = 'chat' | 'completion' | 'embedding' | 'job';

export interface Reservation extends UsageAmount {
  readonly id: string;
  readonly keyId: string;
  readonly day: string;
  readonly purpose: ReservationPurpose;
  readonly jobId: string | null;
  readonly createdAt: string;
}

const SECONDS_PER_DAY = 86_400;
/** When only other requests' reservations stand in the way, they end soon: try again shortly. */
const RETRY_AFTER_BUSY_SECONDS = 5;

function secondsToUtcMidnight(now: number): number {
  const next = new Date(now);
  next.setUTCHours(24, 0, 0, 0);
  return Math.min(SECONDS_PER_DAY, Math.ceil((next.getTime() - now) / 1000));
}

const whole = (value: number) => Math.max(0, Math.ceil(value));

/**
 * Reservations against a key's daily quotas, atomic on SQLite and PostgreSQL: one
 * conditional UPDATE adds the amount to the day's reserved sums only when used + reserved +
 * amount still fits every limit, so concurrent requests can never together pass a quota
 * (PostgreSQL re-checks the condition on the locked row; SQLite serialises writers).
 */
export class UsageReservations {
  readonly #db: Kysely<Database & UsageTables>;
  readonly #now: () => number;

  constructor(db: Kysely<Database>, now: () => number = Date.now) {
    this.#db = db.withTables<UsageTables>();
    this.#now = now;
  }

  /** Reserves `amount` for a key, or throws QUOTA_EXCEEDED (429) when it would not fit. */
  async reserve(keyId: string, amount: UsageAmount, limits: UsageLimits, purpose: ReservationPurpose, jobId: string | null = null): Promise<Reservation> {
    const at = this.#now();
    const reservation: Reservation = { id: `rsv_${randomUUID()}`, keyId, day: utcDay(at), purpose, tokens: whole(amount.tokens), mediaMs: whole(amount.mediaMs), jobId, createdAt: new Date(at).toISOString() };
    const fits = await this.#db
      .transaction()
      .execute(async (trx) => {
        await trx
          .insertInto('api_key_usage')
          .values({ key_id: keyId, day: reservation.day, requests: 0, tokens: 0, media_ms: 0, reserved_tokens: 0, reserved_media_ms: 0 })
          .onConflict((oc) => oc.columns(['key_id', 'day']).doNothing())
          .execute();
        let update = trx
          .updateTable('api_key_usage')
          .set((eb) => ({ reserved_tokens: eb('reserved_tokens', '+', reservation.tokens), reserved_media_ms: eb('reserved_media_ms', '+', reservation.mediaMs) }))
          .where('key_id', '=', keyId)
          .where('day', '=', reservation.day);
        if (limits.tokens !== null) update = update.where(sql<boolean>`tokens + reserved_tokens + ${reservation.tokens} <= ${limits.tokens}`);
        if (limits.mediaSeconds !== null) update = update.where(sql<boolean>`media_ms + reserved_media_ms + ${reservation.mediaMs} <= ${limits.mediaSeconds * 1000}`);
        const result = await update.executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) return false;
        await trx
          .insertInto('api_usage_reservations')
          .values({ id: reservation.id, key_id: keyId, day: reservation.day, purpose, tokens: reservation.tokens, media_ms: reservation.mediaMs, job_id: jobId, created_at: reservation.createdAt })
          .execute();
        return true;
      })
      .catch((error: unknown) => {
        throw databaseFailure('reserving API usage', error);
      });
    if (!fits) throw await this.#refusal(keyId, reservation, limits, at);
    return reservation;
  }

  async #refusal(keyId: string, wanted: Reservation, limits: UsageLimits, at: number): Promise<ShenbiError> {
    const usage = await this.day(keyId, wanted.day);
    const check = (name: string, unit: string, limit: number | null, used: number, reserved: number, amount: number) =>
      limit === null || used + reserved + amount <= limit ? null : { name, unit, limit, used, reserved, amount, busy: used + amount <= limit };
    const over =
      check('tokens', 'tokens', limits.tokens, usage.tokens, usage.reservedTokens, wanted.tokens) ??
      check('media seconds', 's', limits.mediaSeconds, usage.mediaMs / 1000, usage.reservedMediaMs / 1000, wanted.mediaMs / 1000);
    const round = (n: number) => Math.round(n * 10) / 10;
    const left = over === null ? 0 : Math.max(0, over.limit - over.used - over.reserved);
    const message =
      over === null
        ? "This request does not fit in today's quota for this API key."
        : `This request needs up to ${round(over.amount)} ${over.unit} but today's quota of ${over.limit} ${over.name} for this API key has ${round(left)} left` +
          (over.reserved > 0 ? ` (${round(over.reserved)} held by requests in progress).` : '.');
    return new ShenbiError('QUOTA_EXCEEDED', message, {
      hint: over?.busy === true ? 'Requests in progress hold the rest; try again when they finish.' : 'The quota resets at 00:00 UTC; ask for a smaller output (max_tokens, shorter text) to fit what is left.',
      details: {
        retryAfterSeconds: over?.busy === true ? RETRY_AFTER_BUSY_SECONDS : secondsToUtcMidnight(at),
        needed: { tokens: wanted.tokens, mediaSeconds: wanted.mediaMs / 1000 },
        usage: { day: usage.day, tokens: usage.tokens, mediaSeconds: usage.mediaMs / 1000, reservedTokens: usage.reservedTokens, reservedMediaSeconds: usage.reservedMediaMs / 1000 },
        limits: { tokens: limits.tokens, mediaSeconds: limits.mediaSeconds },
      },
    });
  }

  /**
   * Ends a reservation: its hold is released and `used` is added to the day it counts
   * against. Once only: false when it was settled already (by a sweep or another process).
   */
  async settle(reservationId: string, used: UsageAmount): Promise<boolean> {
    return this.#db
      .transaction()
      .execute(async (trx) => {
        const row = await trx.deleteFrom('api_usage_reservations').where('id', '=', reservationId).returningAll().executeTakeFirst();
        if (row === undefined) return false;
        const tokens = whole(used.tokens);
        const mediaMs = whole(used.mediaMs);
        await trx
          .updateTable('api_key_usage')
          .set((eb) => ({
            reserved_tokens: eb('reserved_tokens', '-', Number(row.tokens)),
            reserved_media_ms: eb('reserved_media_ms', '-', Number(row.media_ms)),
            tokens: eb('tokens', '+', tokens),
            media_ms: eb('media_ms', '+', mediaMs),
          }))
          .where('key_id', '=', row.key_id)
          .where('day', '=', row.day)
          .execute();
        return true;
      })
      .catch((error: unknown) => {
        throw databaseFailure('settling API usage', error);
      });
  }

  /** Ties a reservation made before its job existed to that job, so the job's end settles it. */
  async bindJob(reservationId: string, jobId: string): Promise<void> {
    await this.#db
      .updateTable('api_usage_reservations')
      .set({ job_id: jobId })
      .where('id', '=', reservationId)
      .execute()
      .catch((error: unknown) => {
        throw databaseFailure(`recording the reservation of ${jobId}`, error);
      });
  }

  async forJob(jobId: string): Promise<Reservation[]> {
    const rows = await this.#db.selectFrom('api_usage_reservations').selectAll().where('job_id', '=', jobId).execute();
    return rows.map(toReservation);
  }

  /** Open reservations, oldest first: the sweep's input. */
  async open(limit = 500): Promise<Reservation[]> {
    const rows = await this.#db.selectFrom('api_usage_reservations').selectAll().orderBy('created_at').limit(limit).execute();
    return rows.map(toReservation);
  }

  /** A key's usage of one day, with what open reservations hold. */
  async day(keyId: string, day = utcDay(this.#now())): Promise<{ day: string; requests: number; tokens: number; mediaMs: number; reservedTokens: number; reservedMediaMs: number }> {
    const row = await this.#db.selectFrom('api_key_usage').selectAll().where('key_id', '=', keyId).where('day', '=', day).executeTakeFirst();
    return {
      day,
      requests: Number(row?.requests ?? 0),
      tokens: Number(row?.tokens ?? 0),
      mediaMs: Number(row?.media_ms ?? 0),
      reservedTokens: Number(row?.reserved_tokens ?? 0),
      reservedMediaMs: Number(row?.reserved_media_ms ?? 0),
    };
  }
}

function toReservation(row: UsageTables['api_usage_reservations']): Reservation {
  return {
    id: row.id,
    keyId: row.key_id,
    day: row.day,
    purpose: row.purpose as ReservationPurpose,
    tokens: Number(row.tokens),
    mediaMs: Number(row.media_ms),
    jobId: row.job_id,
    createdAt: row.created_at,
  };
}
