import type { Command } from 'commander';
import { join } from 'node:path';
import { loadConfig } from '../../config/load.ts';
import { KEY_FILES, keysDirFor, loadSigningKeys, prepareSigningKeys, type SigningKeys } from '../../governance/c2pa/keys.ts';
import type { CliContext } from '../context.ts';
import { printJson, printLine } from '../output.ts';

/** $SHENBI_HOME/keys, resolved without opening the store. */
function keysDir(ctx: CliContext): string {
  const { home, config } = ctx.options;
  const resolved = loadConfig({ ...(config === undefined ? {} : { configPath: config }), ...(home === undefined ? {} : { overrides: { home } }) });
  return keysDirFor(resolved.home);
}

function describe(keys: SigningKeys) {
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

function print(keys: SigningKeys): void {
  const d = describe(keys);
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
      const prepared = await prepareSigningKeys(keysDir(ctx), options.force === true ? 'force' : 'init');
      if (ctx.output.json) return printJson({ ...describe(prepared.keys), action: prepared.action, ...(prepared.setAside === undefined ? {} : { previous: prepared.setAside }) });
      print(prepared.keys);
      if (prepared.setAside !== undefined) printLine(`previous keys kept in ${prepared.setAside}`);
    });

  keys
    .command('show')
    .description('show the signing certificate and the CA verifiers should trust')
    .action(async () => {
      const loaded = await loadSigningKeys(keysDir(ctx));
      if (ctx.output.json) return printJson(describe(loaded));
      print(loaded);
    });
}
