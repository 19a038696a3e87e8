import type { MiddlewareHandler } from 'hono';
import { ShenbiError } from '../../core/errors.ts';
import { API_SCOPES, hasScope, hashSecret, parseApiKey, secretMatches, type ApiScope } from '../auth/api-key.ts';
import type { ApiKeyRepository } from '../auth/api-key-repository.ts';
import { KeyPresence } from '../auth/key-presence.ts';
import { LOCAL_TENANT, type ServerEnv } from '../context.ts';

export interface AuthenticateOptions {
  keys: ApiKeyRepository;
  /** A server reachable from other machines always requires keys, even if none exist yet. */
  requireKeys: boolean;
  /** Whether keys exist, kept fresh by the server (default: asked on the request, at most once a second). */
  presence?: KeyPresence;
}

const DUMMY_HASH = hashSecret('shenbi-no-such-key');

/** Reads the key from `Authorization: Bearer …` (OpenAI clients) or `x-api-key`. */
function presentedKey(authorization: string | undefined, apiKeyHeader: string | undefined): string | undefined {
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match?.[1];
  }
  return apiKeyHeader;
}

/**
 * Sets the request's principal. With no active keys on a loopback server, every request is
 * the local user (all scopes); otherwise a valid, unrevoked key is required (401).
 */
export function authenticate(options: AuthenticateOptions): MiddlewareHandler<ServerEnv> {
  // Not started, a KeyPresence asks the store when its answer is a second old.
  const presence = options.presence ?? new KeyPresence(options.keys);
  return async (c, next) => {
    const token = presentedKey(c.req.header('authorization'), c.req.header('x-api-key'));
    if (!options.requireKeys && !(await presence.anyKeys())) {
      c.set('principal', { tenant: LOCAL_TENANT, key: null, scopes: [...API_SCOPES] });
      return next();
    }
    if (token === undefined) {
      throw new ShenbiError('UNAUTHORIZED', 'An API key is required: send "Authorization: Bearer sk-shenbi-…".', { hint: 'Create one with: shenbi apikeys create --tenant NAME --scopes generate,jobs:read' });
    }
    const parsed = parseApiKey(token);
    const key = parsed === undefined ? undefined : await options.keys.find(parsed.id);
    // Hash even when there is no such key, so a miss takes as long as a wrong secret.
    const matches = secretMatches(parsed?.secret ?? 'x', key?.secretSha256 ?? DUMMY_HASH);
    if (key === undefined || !matches || key.revokedAt !== null) {
      throw new ShenbiError('UNAUTHORIZED', 'The API key is not valid (unknown, wrong or revoked).');
    }
    // A key made for "local" before that name was reserved would see all keyless work.
    if (key.tenant.toLowerCase() === LOCAL_TENANT) {
      throw new ShenbiError('UNAUTHORIZED', `This API key's tenant "${key.tenant}" is reserved for the keyless local user.`, {
        hint: 'Revoke it (shenbi apikeys revoke ID) and create a key for another tenant name.',
      });
    }
    c.set('principal', { tenant: key.tenant, key, scopes: key.scopes });
    return next();
  };
}

/** Refuses (403) a principal without the scope. */
export function requireScope(scope: ApiScope): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    const principal = c.get('principal');
    if (!hasScope(principal.scopes, scope)) {
      throw new ShenbiError('FORBIDDEN', `This API key lacks the "${scope}" scope.`, { details: { scope, scopes: principal.scopes } });
    }
    await next();
  };
}
