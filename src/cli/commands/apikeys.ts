import type { Command } from 'commander';
import { z } from 'zod';
import { parseOrThrow } from '../../core/validation.ts';
import { apiScopeSchema } from '../../server/auth/api-key.ts';
import type { ApiKeyRepository } from '../../server/auth/api-key-repository.ts';
import type { CliContext } from '../context.ts';
import { printJson, printLine, printTable } from '../output.ts';

const positive = z.coerce.number().int().positive().optional();
const createOptions = z.object({
  tenant: z.string().min(1),
  scopes: z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)).pipe(z.array(apiScopeSchema).min(1)),
  name: z.string().optional(),
  rate: positive,
  quotaRequests: positive,
  quotaTokens: positive,
  quotaMediaSeconds: positive,
});

/** `shenbi apikeys`: keys for the HTTP server (not the signing keys of `shenbi keys`). */
export function registerApiKeys(program: Command, ctx: CliContext): void {
  const apikeys = program.command('apikeys').description('API keys for `shenbi serve`: create (shown once), list, revoke');
  const withRepository = async <T>(work: (keys: ApiKeyRepository) => Promise<T>): Promise<T> => {
    const shenbi = await ctx.open();
    const [{ openDatabase }, { ApiKeyRepository }] = await Promise.all([import('../../store/db/connect.ts'), import('../../server/auth/api-key-repository.ts')]);
    const database = await openDatabase(shenbi.config.database);
    try {
      return await work(new ApiKeyRepository(database.db));
    } finally {
      await database.close();
    }
  };

  apikeys
    .command('create')
    .description('create a key for a tenant; the key is printed once and only its hash is stored')
    .requiredOption('--tenant <name>', 'tenant the key acts for (its jobs and artifacts are private to the tenant)')
    .requiredOption('--scopes <list>', 'comma-separated: generate, jobs:read, models:read, models:pull, admin')
    .option('--name <name>', 'a note to recognise the key by')
    .option('--rate <n>', 'requests per minute (default unlimited)')
    .option('--quota-requests <n>', 'requests per UTC day')
    .option('--quota-tokens <n>', 'text tokens per UTC day')
    .option('--quota-media-seconds <n>', 'seconds of generated audio per UTC day')
    .action(async (raw: Record<string, unknown>) => {
      const o = parseOrThrow(createOptions, raw, 'options');
      const { key, token } = await withRepository((keys) =>
        keys.create({
          tenant: o.tenant,
          scopes: o.scopes,
          ...(o.name === undefined ? {} : { name: o.name }),
          ratePerMinute: o.rate ?? null,
          quotaRequests: o.quotaRequests ?? null,
          quotaTokens: o.quotaTokens ?? null,
          quotaMediaSeconds: o.quotaMediaSeconds ?? null,
        }),
      );
      if (ctx.output.json) return printJson({ ...key, secretSha256: undefined, token });
      printLine(token);
      printLine(`(${key.id}, tenant ${key.tenant}, scopes ${key.scopes.join(',')}; store it now: it is not shown again)`);
    });

  apikeys
    .command('list')
    .description('list keys (never their secrets)')
    .action(async () => {
      const list = await withRepository((keys) => keys.list());
      if (ctx.output.json) return printJson(list.map((k) => ({ ...k, secretSha256: undefined })));
      printTable(
        ['ID', 'TENANT', 'SCOPES', 'RATE/MIN', 'CREATED', 'REVOKED'],
        list.map((k) => [k.id, k.tenant, k.scopes.join(','), k.ratePerMinute ?? '-', k.createdAt, k.revokedAt ?? '']),
      );
    });

  apikeys
    .command('revoke')
    .description('revoke a key at once')
    .argument('<id>', 'key id (key_…)')
    .action(async (id: string) => {
      await withRepository((keys) => keys.revoke(id));
      if (ctx.output.json) return printJson({ id, revoked: true });
      printLine(`${id} revoked`);
    });
}
