/**
 * Canonical JSON for hashing: object keys sorted (by UTF-16 code units, like RFC 8785),
 * no whitespace, `undefined` members dropped as JSON.stringify drops them. The same value
 * always gives the same text, so a hash over it survives a round trip through any database.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`canonical JSON has no ${value}`);
    const text = JSON.stringify(value);
    // undefined, functions and symbols have no JSON form; callers drop them before we get here.
    if (text === undefined) throw new TypeError(`canonical JSON cannot encode a ${typeof value}`);
    return text;
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return canonicalJson(withJson.toJSON());
  const members = Object.keys(value)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${members.join(',')}}`;
}
