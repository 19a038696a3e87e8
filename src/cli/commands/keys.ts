import type { Command } from 'commander';
import { join } from 'node:path';
import { loadConfig } from '../../config/load.ts';
import type { SigningKeys } from '../../governance/c2pa/keys.ts';
import type { CliContext } from '../context.ts';
import { printJson, printLine } from '../output.ts';

// Key handling (X.509, WebCrypto) loads only when a `keys` command runs, not for `shenbi --help`.
const signingKeys = () => import('../../governance/c2pa/keys.ts');
type KeyFiles = Awaited<ReturnType<typeof signingKeys>>['KEY_FILES'];

/** The keys folder the signer uses (config `c2pa.keysDir`, default $SHENBI_HOME/keys), resolved without opening the store. */
async function keysDir(ctx: CliContext): Promise<string> {
  const { home, config } = ctx.options;
  const resolved = loadConfig({ ...(config === undefined ? {} : { configPath: config }), ...(home === undefined ? {} : { overrides: { home } }) });
  return resolved.c2pa.keysDir;
}

function describe(keys: SigningKeys, KEY_FILES: KeyFiles) {
  const cert = (c: SigningKeys['signerCertificate']) => ({
    subject: c.subject.replace(/\n/g, ', '),
    issuer: c.issuer.replace(/\n/g, ', '),
    validFrom: new Date(c.validFrom).toISOString(),
    validTo: new Date(c.validTo).toISOString(),
    sha256: c.fingerprint256,
  });
  return {
    dir: keys.dir,
    signer: { ...cert(keys.signerCertificate), file: join(keys.dir, KEY_FILES.signerCertificate), key: join(keys.dir, KEY_FILES.signerKey) },
    ca: { ...cert(keys.caCertificate), file: join(keys.dir, KEY_FILES.caCertificate) },
  };
}

function print(keys: SigningKeys, files: KeyFiles): void {
  const d = describe(keys, files);
  printLine(`keys   ${d.dir}`);
  printLine(`signer ${d.signer.subject}  (valid to ${d.signer.validTo})`);
  printLine(`       sha256 ${d.signer.sha256}`);
  printLine(`CA     ${d.ca.subject}  (valid to ${d.ca.validTo})`);
  printLine(`       ${d.ca.file}  ← give this to verifiers as their trust anchor`);
}

export function registerKeys(program: Command, ctx: CliContext): void {
  const keys = program.command('keys').description('the local C2PA signing keys (a CA and a signer certificate under $SHENBI_HOME/keys)');

  keys
    .command('init')
    .description('create a local CA and an ES256 signing certificate (repairs a half-made set; refuses to replace complete keys without --force)')
    .option('-f, --force', 'replace existing keys (the old folder is kept as keys.replaced-<time>)')
    .action(async (options: { force?: boolean }) => {
      const { prepareSigningKeys, KEY_FILES } = await signingKeys();
      const prepared = await prepareSigningKeys(await keysDir(ctx), options.force === true ? 'force' : 'init');
      if (ctx.output.json) return printJson({ ...describe(prepared.keys, KEY_FILES), action: prepared.action, ...(prepared.setAside === undefined ? {} : { previous: prepared.setAside }) });
      print(prepared.keys, KEY_FILES);
      if (prepared.setAside !== undefined) printLine(`previous keys kept in ${prepared.setAside}`);
    });

  keys
    .command('show')
    .description('show the signing certificate and the CA verifiers should trust')
    .action(async () => {
      const { loadSigningKeys, KEY_FILES } = await signingKeys();
      const loaded = await loadSigningKeys(await keysDir(ctx));
      if (ctx.output.json) return printJson(describe(loaded, KEY_FILES));
      print(loaded, KEY_FILES);
    });
}
