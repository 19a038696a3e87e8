import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** What a key may do. `admin` implies every other scope. */
export const API_SCOPES = ['generate', 'jobs:read', 'models:read', 'models:pull', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];
export const apiScopeSchema = z.enum(API_SCOPES);

/** The printed key: `sk-shenbi-<id>.<secret>`. The id finds the row; only the secret's hash is stored. */
const KEY_PATTERN = /^sk-shenbi-(key_[0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/;

export interface ParsedApiKey {
  id: string;
  secret: string;
}

export function newApiKey(): { id: string; secret: string; token: string } {
  const id = `key_${randomBytes(8).toString('hex')}`;
  // 256 bits: a single sha256 is enough for a secret this long (no password stretching needed).
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, token: `sk-shenbi-${id}.${secret}` };
}

export function parseApiKey(token: string): ParsedApiKey | undefined {
  const match = KEY_PATTERN.exec(token);
  return match ? { id: match[1]!, secret: match[2]! } : undefined;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of a presented secret with the stored hash. */
export function secretMatches(secret: string, storedSha256: string): boolean {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedSha256, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

export function hasScope(scopes: readonly ApiScope[], needed: ApiScope): boolean {
  return scopes.includes('admin') || scopes.includes(needed);
}
