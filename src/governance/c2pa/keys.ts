/**
 * The local C2PA signing identity: a self-signed CA and a signer certificate it issued,
 * both ES256 (P-256), as PEM files under $SHENBI_HOME/keys. Private keys are written with
 * mode 0600; a set is made whole in one rename (keys-create.ts) and never overwritten in place.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ShenbiError } from '../../core/errors.ts';
import { clearKeyDir, freshKeyFiles, inspectKeyDir, installKeySet, KEY_FILE_NAMES, readUsableCa, reissuedKeyFiles, removeAbandonedTemps } from './keys-create.ts';
import { withKeysLock } from './keys-lock.ts';

export const KEY_FILES = KEY_FILE_NAMES;

/** Parsed, ready to sign: what signC2pa needs. */
export interface SigningKeys {
  readonly dir: string;
  readonly privateKey: KeyObject;
  /** DER certificates, signer first then the CA (the COSE x5chain). */
  readonly chainDer: readonly Buffer[];
  readonly signerCertificate: X509Certificate;
  readonly caCertificate: X509Certificate;
  /** The CA as PEM: the trust anchor a verifier passes to readC2pa. */
  readonly caPem: string;
}

export interface InitSigningKeysOptions {
  readonly force?: boolean;
  /** Organisation named in both certificates. */
  readonly organization?: string;
}

/** $SHENBI_HOME/keys */
export function keysDirFor(home: string): string {
  return join(home, 'keys');
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

const cache = new Map<string, { stamp: string; keys: SigningKeys }>();

/** What preparing the keys did: `repaired`/`reissued` moved a half-made set aside (`setAside`). */
export type KeySetAction = 'loaded' | 'created' | 'repaired' | 'reissued' | 'replaced';

export interface PreparedSigningKeys {
  readonly keys: SigningKeys;
  readonly action: KeySetAction;
  /** Where the previous folder was moved (`keys.broken-<time>` or `keys.replaced-<time>`). */
  readonly setAside?: string;
}

/**
 * The one way key sets come to exist, holding the keys lock so racing processes end with one
 * set (the later ones load the winner's). `ensure` (first use) and `init` create a missing set
 * and repair a half-made one; a complete set is loaded (`ensure`), refused (`init`) or moved
 * aside and replaced (`force`) — never overwritten in place.
 *
 * Repair: when the half-made set still has a usable CA (certificate + key), only the signer is
 * issued again, under that CA: verifiers may already hold its ca.pem, and files signed before
 * stay Trusted. Without a usable CA there is nothing worth keeping, and a fresh set is made.
 * Either way the old folder is kept as `keys.broken-<time>`, not deleted.
 */
export async function prepareSigningKeys(dir: string, mode: 'ensure' | 'init' | 'force', options: { organization?: string } = {}): Promise<PreparedSigningKeys> {
  await mkdir(dirname(dir), { recursive: true });
  const outcome = await withKeysLock(dir, async (): Promise<{ action: KeySetAction; setAside?: string }> => {
    await removeAbandonedTemps(dir);
    const state = await inspectKeyDir(dir);
    const organization = options.organization ?? 'Shenbi (local)';
    let plan: { action: KeySetAction; files: ReturnType<typeof freshKeyFiles>; aside: 'broken' | 'replaced' };
    if (state.kind === 'complete') {
      if (mode === 'ensure') return { action: 'loaded' };
      if (mode === 'init') {
        throw new ShenbiError('INVALID_INPUT', `signing keys already exist in ${dir}; refusing to overwrite them`, {
          hint: 'shenbi keys init --force (replaces them: files signed before stay valid but chain to the old CA)',
          details: { dir, present: Object.values(KEY_FILES).map((file) => join(dir, file)) },
        });
      }
      plan = { action: 'replaced', files: freshKeyFiles(organization), aside: 'replaced' };
    } else if (state.kind === 'partial' && mode !== 'force') {
      const ca = await readUsableCa(dir);
      plan = ca === null ? { action: 'repaired', files: freshKeyFiles(organization), aside: 'broken' } : { action: 'reissued', files: reissuedKeyFiles(ca), aside: 'broken' };
    } else {
      plan = state.kind === 'partial' ? { action: 'replaced', files: freshKeyFiles(organization), aside: 'replaced' } : { action: 'created', files: freshKeyFiles(organization), aside: 'broken' };
    }
    cache.delete(dir);
    let setAside: string | undefined;
    // False only if something ignoring the lock filled the folder meanwhile: load what it made.
    if (!(await installKeySet(dir, plan.files, async () => void (setAside = await clearKeyDir(dir, state, plan.aside))))) return { action: 'loaded' };
    return { action: plan.action, ...(setAside === undefined ? {} : { setAside }) };
  });
  return { keys: await loadSigningKeys(dir), ...outcome };
}

/** Creates the CA and signer under `dir` (repairing a half-made set); refuses a complete set unless `force`. */
export async function initSigningKeys(dir: string, options: InitSigningKeysOptions = {}): Promise<SigningKeys> {
  return (await prepareSigningKeys(dir, options.force === true ? 'force' : 'init', options.organization === undefined ? {} : { organization: options.organization })).keys;
}

async function readKeyFile(dir: string, file: string): Promise<string> {
  try {
    return await readFile(join(dir, file), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ShenbiError('SIGNING_KEYS_MISSING', `no C2PA signing keys in ${dir} (${file} is missing)`, {
        hint: 'shenbi keys init',
        details: { dir, file },
        cause: error,
      });
    }
    throw new ShenbiError('STORAGE_ERROR', `cannot read ${join(dir, file)}: ${(error as Error).message}`, { cause: error });
  }
}

function invalid(dir: string, message: string, cause?: unknown): ShenbiError {
  return new ShenbiError('CONFIG_INVALID', `signing keys in ${dir} are unusable: ${message}`, {
    hint: 'shenbi keys init --force',
    details: { dir },
    ...(cause === undefined ? {} : { cause }),
  });
}

async function parseKeys(dir: string): Promise<SigningKeys> {
  const [caPem, signerPem, signerKeyPem] = await Promise.all([
    readKeyFile(dir, KEY_FILES.caCertificate),
    readKeyFile(dir, KEY_FILES.signerCertificate),
    readKeyFile(dir, KEY_FILES.signerKey),
  ]);
  let caCertificate: X509Certificate;
  let signerCertificate: X509Certificate;
  let privateKey: KeyObject;
  try {
    caCertificate = new X509Certificate(caPem);
    signerCertificate = new X509Certificate(signerPem);
    privateKey = createPrivateKey(signerKeyPem);
  } catch (error) {
    throw invalid(dir, (error as Error).message, error);
  }
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw invalid(dir, 'the signer key is not an ECDSA P-256 key (ES256)');
  }
  if (!signerCertificate.checkPrivateKey(privateKey)) throw invalid(dir, 'the signer key does not match the signer certificate');
  if (!signerCertificate.verify(caCertificate.publicKey)) throw invalid(dir, 'the signer certificate was not issued by the CA');
  return { dir, privateKey, chainDer: [signerCertificate.raw, caCertificate.raw], signerCertificate, caCertificate, caPem: caCertificate.toString() };
}

/**
 * Loads and checks the keys (key matches certificate, certificate chains to the CA). Cached
 * per folder until the files change, so signing never re-parses PEM.
 */
export async function loadSigningKeys(dir: string): Promise<SigningKeys> {
  const stamps = await Promise.all(
    [KEY_FILES.signerKey, KEY_FILES.signerCertificate, KEY_FILES.caCertificate].map((file) =>
      stat(join(dir, file)).then(
        (s) => `${s.mtimeMs}:${s.size}:${s.ino}`,
        () => 'missing',
      ),
    ),
  );
  const stamp = stamps.join('|');
  const hit = cache.get(dir);
  if (hit && hit.stamp === stamp) return hit.keys;
  const keys = await parseKeys(dir).catch(async (error: unknown) => {
    // Some files but not all (a crash mid-init, a file deleted): plain `init` would refuse.
    if (error instanceof ShenbiError && error.code === 'SIGNING_KEYS_MISSING' && (await Promise.all(Object.values(KEY_FILES).map((f) => exists(join(dir, f))))).some(Boolean)) {
      throw new ShenbiError('SIGNING_KEYS_MISSING', `the signing keys in ${dir} are incomplete (${String(error.details?.['file'])} is missing)`, {
        hint: 'shenbi keys init (moves the incomplete set aside and makes a whole one)',
        details: error.details ?? {},
        cause: error,
      });
    }
    throw error;
  });
  cache.set(dir, { stamp, keys });
  return keys;
}
