/**
 * A Redis URL fit for messages and logs: the password (and a user-only secret) replaced by
 * `***`. Anything that does not parse as a URL is shown as `<invalid redis URL>`, since it may
 * still hold a secret in a form we cannot find.
 */
export function redactRedisUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '<invalid redis URL>';
  }
  if (parsed.password !== '') parsed.password = '***';
  // `redis://secret@host` is a password-only URL for Redis (AUTH secret).
  else if (parsed.username !== '') parsed.username = '***';
  return parsed.toString();
}
