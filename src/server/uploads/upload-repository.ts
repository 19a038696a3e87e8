import type { Kysely } from 'kysely';
import { databaseFailure } from '../../store/db/database-failure.ts';
import type { Database } from '../../store/db/schema.ts';

/** The table of migration 0005, seen only by this repository. */
type UploadTables = {
  uploads: {
    id: string;
    tenant: string;
    key_id: string | null;
    name: string;
    media_type: string;
    size: number;
    sha256: string;
    created_at: string;
    expires_at: string;
  };
};

/** One uploaded file, as GET /api/uploads/:id shows it (tenant and key stay server-side). */
export interface UploadRecord {
  id: string;
  tenant: string;
  keyId: string | null;
  name: string;
  mediaType: string;
  size: number;
  sha256: string;
  createdAt: string;
  expiresAt: string;
}

/** Who owns which upload, what it is, and when it expires. */
export class UploadRepository {
  readonly #db: Kysely<Database & UploadTables>;

  constructor(db: Kysely<Database>) {
    this.#db = db.withTables<UploadTables>();
  }

  async insert(record: UploadRecord): Promise<void> {
    await this.#db
      .insertInto('uploads')
      .values({
        id: record.id,
        tenant: record.tenant,
        key_id: record.keyId,
        name: record.name,
        media_type: record.mediaType,
        size: record.size,
        sha256: record.sha256,
        created_at: record.createdAt,
        expires_at: record.expiresAt,
      })
      .execute()
      .catch((error: unknown) => {
        throw databaseFailure(`recording upload ${record.id}`, error);
      });
  }

  async find(id: string): Promise<UploadRecord | undefined> {
    const row = await this.#db
      .selectFrom('uploads')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
      .catch((error: unknown) => {
        throw databaseFailure(`reading upload ${id}`, error);
      });
    return row === undefined ? undefined : toRecord(row);
  }

  async delete(id: string): Promise<void> {
    await this.#db.deleteFrom('uploads').where('id', '=', id).execute();
  }

  /** Uploads whose time is up (ISO timestamps sort as text on every database). */
  async expired(now = new Date()): Promise<string[]> {
    const rows = await this.#db.selectFrom('uploads').select('id').where('expires_at', '<=', now.toISOString()).execute();
    return rows.map((r) => r.id);
  }
}

function toRecord(row: UploadTables['uploads']): UploadRecord {
  return {
    id: row.id,
    tenant: row.tenant,
    keyId: row.key_id,
    name: row.name,
    mediaType: row.media_type,
    // PostgreSQL returns bigint as a string.
    size: Number(row.size),
    sha256: row.sha256,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}
