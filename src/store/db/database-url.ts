import { ShenbiError } from '../../core/errors.ts';

/** Where the metadata lives, parsed from a `database` setting. */
export type DatabaseTarget =
  | { dialect: 'sqlite'; /** A file path, or ':memory:'. */ path: string }
  | { dialect: 'postgres'; url: string };

/**
 * `sqlite:<path>`, `sqlite::memory:`, `sqlite://<path>`, or `postgres://…` /
 * `postgresql://…`. Anything else is a configuration mistake the user must fix.
 */
export function parseDatabaseUrl(value: string): DatabaseTarget {
  const trimmed = value.trim();
  if (trimmed.startsWith('sqlite:')) {
    let path = trimmed.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2);
    if (path.length === 0) throw invalid(value, 'no file path after "sqlite:"');
    if (path.includes('\0')) throw invalid(value, 'the path contains a NUL byte');
    return { dialect: 'sqlite', path };
  }
  if (/^postgres(ql)?:\/\//i.test(trimmed)) {
    let parsed: URL;
    try {
      parsed = new URL(trimmed);
    } catch {
      throw invalid(value, 'it is not a valid URL');
    }
    if (parsed.hostname.length === 0 && !parsed.searchParams.has('host')) {
      throw invalid(value, 'no host name');
    }
    return { dialect: 'postgres', url: trimmed };
  }
  throw invalid(value, 'expected "sqlite:<path>" or "postgres://user@host:port/database"');
}

/** The URL with its password replaced, safe to print and log. */
export function redactDatabaseUrl(value: string): string {
  try {
    const parsed = new URL(value);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL (sqlite paths): strip anything that looks like user:password@.
    return value.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
  }
}

function invalid(value: string, why: string): ShenbiError {
  return new ShenbiError('CONFIG_INVALID', `Invalid database setting "${redactDatabaseUrl(value)}": ${why}.`, {
    hint: 'Use "sqlite:/path/to/shenbi.db" (the default) or "postgres://user:password@host:5432/shenbi".',
  });
}
