import { ShenbiError } from '../../core/errors.ts';
import { initSigningKeys, loadSigningKeys, type SigningKeys } from './keys.ts';

/**
 * The signing keys, created on first use when the folder has none, so a fresh install signs
 * its very first output (offline, nothing to configure). `shenbi keys init` does the same on
 * demand; `shenbi keys show` prints the CA to hand to verifiers. Two processes racing to
 * create them both end up loading the same files.
 */
export async function ensureSigningKeys(dir: string, log: (message: string) => void): Promise<SigningKeys> {
  try {
    return await loadSigningKeys(dir);
  } catch (error) {
    if (!(error instanceof ShenbiError) || error.code !== 'SIGNING_KEYS_MISSING') throw error;
  }
  try {
    const keys = await initSigningKeys(dir);
    log(`created local C2PA signing keys in ${dir} (give ${dir}/ca.pem to verifiers as the trust anchor)`);
    return keys;
  } catch (error) {
    if (error instanceof ShenbiError && error.code === 'INVALID_INPUT') return loadSigningKeys(dir);
    throw error;
  }
}
