/**
 * The local C2PA signing identity: a self-signed CA and a signer certificate it issued,
 * both ES256 (P-256), as PEM files under $SHENBI_HOME/keys. Private keys are written with
 * mode 0600 and never overwritten unless asked.
 */
import { createPrivateKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ShenbiError } from '../../core/errors.ts';
import { writeFileAtomic } from '../../fs/atomic-file.ts';
import { buildCertificate, C2PA_SIGNER_EKUS, certificatePem } from './certificate.ts';

export const KEY_FILES = {
  caCertificate: 'ca.pem',
  caKey: 'ca-key.pem',
  signerCertificate: 'signer.pem',
  signerKey: 'signer-key.pem',
} as const;

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

const LOCK_FILE = '.init.lock';
const LOCK_WAIT_MS = 10_000;
/** A lock older than this was left by a crashed process (creating keys takes milliseconds). */
const LOCK_STALE_MS = 30_000;

/**
 * Serialises key creation across processes and concurrent calls with an O_EXCL lock file:
 * without it, two first writes racing on a fresh install could interleave their files and
 * leave a signer that its CA did not issue.
 */
async function withInitLock(dir: string, fn: () => Promise<void>): Promise<void> {
  const lock = join(dir, LOCK_FILE);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await (await open(lock, 'wx', 0o600)).close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const held = await stat(lock).catch(() => null);
      if (held !== null && Date.now() - held.mtimeMs > LOCK_STALE_MS) {
        await rm(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new ShenbiError('STORAGE_ERROR', `another process has been creating signing keys in ${dir} for too long`, {
          hint: `remove ${lock} if no shenbi process is running`,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  try {
    await fn();
  } finally {
    await rm(lock, { force: true });
  }
}

/** Creates the CA and signer under `dir`; refuses if any key file is there unless `force`. */
export async function initSigningKeys(dir: string, options: InitSigningKeysOptions = {}): Promise<SigningKeys> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await withInitLock(dir, () => createKeysLocked(dir, options));
  return loadSigningKeys(dir);
}

async function createKeysLocked(dir: string, options: InitSigningKeysOptions): Promise<void> {
  const paths = Object.values(KEY_FILES).map((file) => join(dir, file));
  const present = (await Promise.all(paths.map(async (path) => ((await exists(path)) ? path : null)))).filter((p) => p !== null);
  if (present.length > 0 && options.force !== true) {
    throw new ShenbiError('INVALID_INPUT', `signing keys already exist in ${dir}; refusing to overwrite them`, {
      hint: 'shenbi keys init --force (replaces them: files signed before stay valid but chain to the old CA)',
      details: { dir, present },
    });
  }
  const organization = options.organization ?? 'Shenbi (local)';
  const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const caCert = buildCertificate({ commonName: 'Shenbi local C2PA CA', organization, publicKey: ca.publicKey, issuerKey: ca.privateKey, isCa: true, validDays: 3650 });
  const signer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signerCert = buildCertificate({
    commonName: 'Shenbi C2PA signer',
    organization,
    publicKey: signer.publicKey,
    issuerKey: ca.privateKey,
    issuer: { name: caCert.name, keyId: caCert.keyId },
    isCa: false,
    validDays: 730,
    extendedKeyUsages: C2PA_SIGNER_EKUS,
  });

  const pkcs8 = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }).toString();
  // Keys before certificates: a crash in between leaves no certificate without its key.
  await writeFileAtomic(join(dir, KEY_FILES.caKey), pkcs8(ca.privateKey), { mode: 0o600 });
  await writeFileAtomic(join(dir, KEY_FILES.signerKey), pkcs8(signer.privateKey), { mode: 0o600 });
  await writeFileAtomic(join(dir, KEY_FILES.caCertificate), certificatePem(caCert.der), { mode: 0o644 });
  await writeFileAtomic(join(dir, KEY_FILES.signerCertificate), certificatePem(signerCert.der), { mode: 0o644 });
  cache.delete(dir);
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
        hint: 'shenbi keys init --force',
        details: error.details ?? {},
        cause: error,
      });
    }
    throw error;
  });
  cache.set(dir, { stamp, keys });
  return keys;
}
