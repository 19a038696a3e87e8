/**
 * Making a key set crash-safe: every file is written and fsynced into a temp folder beside the
 * keys folder, which is then renamed into place in one step. A crash leaves either no keys
 * folder or a complete one (plus a temp folder the next run removes), never half a set. Sets
 * half-made by older versions (files written one by one) are repaired on next use.
 */
import { createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fsyncDir } from '../../fs/atomic-file.ts';
import { buildCertificate, C2PA_SIGNER_EKUS, certificatePem, issuerOf } from './certificate.ts';

export const KEY_FILE_NAMES = {
  caCertificate: 'ca.pem',
  caKey: 'ca-key.pem',
  signerCertificate: 'signer.pem',
  signerKey: 'signer-key.pem',
} as const;

const CA_VALID_DAYS = 3650;
const SIGNER_VALID_DAYS = 730;
const DAY_MS = 86_400_000;

/** The set's files by name → PEM text. */
type KeyFiles = Record<(typeof KEY_FILE_NAMES)[keyof typeof KEY_FILE_NAMES], string>;

const pkcs8 = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }).toString();

function newSigner(ca: { key: KeyObject; der: Uint8Array }, organization: string, validDays: number): { keyPem: string; certPem: string } {
  const signer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const cert = buildCertificate({
    commonName: 'Shenbi C2PA signer',
    organization,
    publicKey: signer.publicKey,
    issuerKey: ca.key,
    issuer: issuerOf(ca.der),
    isCa: false,
    validDays,
    extendedKeyUsages: C2PA_SIGNER_EKUS,
  });
  return { keyPem: pkcs8(signer.privateKey), certPem: certificatePem(cert.der) };
}

/** A new CA and a signer it issued. */
export function freshKeyFiles(organization: string): KeyFiles {
  const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const caCert = buildCertificate({ commonName: 'Shenbi local C2PA CA', organization, publicKey: ca.publicKey, issuerKey: ca.privateKey, isCa: true, validDays: CA_VALID_DAYS });
  const signer = newSigner({ key: ca.privateKey, der: caCert.der }, organization, SIGNER_VALID_DAYS);
  return { 'ca.pem': certificatePem(caCert.der), 'ca-key.pem': pkcs8(ca.privateKey), 'signer.pem': signer.certPem, 'signer-key.pem': signer.keyPem };
}

/** An existing CA that can still issue: its certificate, the matching key, not expired. */
export interface UsableCa {
  readonly certPem: string;
  readonly keyPem: string;
  readonly certificate: X509Certificate;
  readonly key: KeyObject;
}

export async function readUsableCa(dir: string): Promise<UsableCa | null> {
  try {
    const [certPem, keyPem] = await Promise.all([readFile(join(dir, KEY_FILE_NAMES.caCertificate), 'utf8'), readFile(join(dir, KEY_FILE_NAMES.caKey), 'utf8')]);
    const certificate = new X509Certificate(certPem);
    const key = createPrivateKey(keyPem);
    const validTo = Date.parse(certificate.validTo);
    if (!certificate.ca || !certificate.checkPrivateKey(key) || !(validTo > Date.now() + DAY_MS)) return null;
    return { certPem, keyPem, certificate, key };
  } catch {
    return null;
  }
}

/** A new signer issued by the CA a set already has: verifiers that trust its ca.pem keep trusting. */
export function reissuedKeyFiles(ca: UsableCa): KeyFiles {
  const organization = /^O=(.*)$/m.exec(ca.certificate.subject)?.[1] ?? 'Shenbi (local)';
  const daysLeft = Math.floor((Date.parse(ca.certificate.validTo) - Date.now()) / DAY_MS);
  const signer = newSigner({ key: ca.key, der: ca.certificate.raw }, organization, Math.max(1, Math.min(SIGNER_VALID_DAYS, daysLeft)));
  return { 'ca.pem': ca.certPem, 'ca-key.pem': ca.keyPem, 'signer.pem': signer.certPem, 'signer-key.pem': signer.keyPem };
}

const TEMP_MARK = 'creating';

function tempPrefix(dir: string): string {
  return `.${basename(dir)}.${TEMP_MARK}-`;
}

/** Removes temp folders left by creators that died; call only while holding the keys lock. */
export async function removeAbandonedTemps(dir: string): Promise<void> {
  const parent = dirname(dir);
  const prefix = tempPrefix(dir);
  const entries = await readdir(parent).catch(() => [] as string[]);
  await Promise.all(entries.filter((name) => name.startsWith(prefix)).map((name) => rm(join(parent, name), { recursive: true, force: true })));
}

async function writeDurably(path: string, text: string, mode: number): Promise<void> {
  const handle = await open(path, 'wx', mode);
  try {
    await handle.chmod(mode);
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes the files into a fresh temp folder beside `dir`, then (holding the lock) lets
 * `clear` empty the place — moving an old set aside — and renames the folder to `dir`, so
 * readers find no keys only for the moment between two renames. Returns false when `dir`
 * was filled meanwhile (a process not honouring the lock).
 */
export async function installKeySet(dir: string, files: KeyFiles, clear: () => Promise<void>): Promise<boolean> {
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const temp = join(parent, `${tempPrefix(dir)}${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(temp, { mode: 0o700 });
  try {
    // Private keys 0600, certificates 0644, whatever the umask.
    for (const [name, text] of Object.entries(files)) {
      await writeDurably(join(temp, name), text, name.endsWith('-key.pem') ? 0o600 : 0o644);
    }
    await fsyncDir(temp);
    await clear();
    try {
      await rename(temp, dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
      throw error;
    }
    await fsyncDir(parent);
    return true;
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** What is in a keys folder. */
export type KeyDirState =
  | { readonly kind: 'absent' }
  /** A folder without any key file (maybe an old lock or temp file in it). */
  | { readonly kind: 'no-keys'; readonly entries: readonly string[] }
  | { readonly kind: 'partial'; readonly present: readonly string[]; readonly missing: readonly string[] }
  | { readonly kind: 'complete' };

export async function inspectKeyDir(dir: string): Promise<KeyDirState> {
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (entries === null) return { kind: 'absent' };
  const names: string[] = Object.values(KEY_FILE_NAMES);
  const present = names.filter((name) => entries.includes(name));
  if (present.length === 0) return { kind: 'no-keys', entries };
  if (present.length < names.length) return { kind: 'partial', present, missing: names.filter((name) => !present.includes(name)) };
  return { kind: 'complete' };
}

/** Leftovers of older versions' one-file-at-a-time writes: their lock and temp files. */
const OLD_LEFTOVER = /^(?:\.init\.lock|\..+\.tmp)$/;

/**
 * Clears `dir` for a new set: an empty folder (or one holding only old leftovers) is removed;
 * anything else is kept, renamed `<name>.<reason>-<time>` beside it. Returns that name, if any.
 */
export async function clearKeyDir(dir: string, state: KeyDirState, reason: 'broken' | 'replaced'): Promise<string | undefined> {
  if (state.kind === 'absent') return undefined;
  if (state.kind === 'no-keys' && state.entries.every((name) => OLD_LEFTOVER.test(name))) {
    await Promise.all(state.entries.map((name) => rm(join(dir, name), { force: true })));
    try {
      await rmdir(dir);
      return undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOTEMPTY' && (error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  let aside = `${dir}.${reason}-${stamp}`;
  if (await stat(aside).then(() => true, () => false)) aside += `-${randomBytes(3).toString('hex')}`;
  await rename(dir, aside);
  return aside;
}
