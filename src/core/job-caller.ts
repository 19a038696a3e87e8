import { z } from 'zod';

/**
 * Who submitted a job, as far as steps must know: persisted with the job, so a job resumed by
 * another process keeps the same restrictions.
 */
export interface JobCaller {
  /** The server tenant that owns the job; null for the CLI and embedders. */
  readonly tenant: string | null;
  /**
   * Whether steps may read files of this machine named in the job (media paths, model
   * folders, SoundFonts). True for the CLI and the keyless loopback server; false for API
   * keys, whose jobs may name only artifact and upload ids and public http(s) URLs.
   */
  readonly localFiles: boolean;
}

export const jobCallerSchema = z.object({ tenant: z.string().min(1).max(200).nullable(), localFiles: z.boolean() }).strict();

/** The CLI's and embedders' caller: the user of this machine. */
export const LOCAL_CALLER: JobCaller = Object.freeze({ tenant: null, localFiles: true });
