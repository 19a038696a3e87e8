import { ShenbiError } from '../../core/errors.ts';
import { loadSigningKeys, prepareSigningKeys, type SigningKeys } from './keys.ts';

/**
 * The signing keys, created on first use when the folder has none, so a fresh install signs
 * its very first output (offline, nothing to configure). A set half-made by a crash is
 * repaired here too (see prepareSigningKeys), so no job is refused over it. `shenbi keys init`
 * does the same on demand; `shenbi keys show` prints the CA to hand to verifiers. Racing
 * processes all end up loading the same files.
 */
export async function ensureSigningKeys(dir: string, log: (message: string) => void): Promise<SigningKeys> {
  try {
    return await loadSigningKeys(dir);
  } catch (error) {
    if (!(error instanceof ShenbiError) || error.code !== 'SIGNING_KEYS_MISSING') throw error;
  }
  const prepared = await prepareSigningKeys(dir, 'ensure');
  const anchor = `give ${dir}/ca.pem to verifiers as the trust anchor`;
  if (prepared.action === 'created') log(`created local C2PA signing keys in ${dir} (${anchor})`);
  if (prepared.action === 'repaired') log(`the signing keys in ${dir} were incomplete (kept as ${prepared.setAside}); made a new set (${anchor})`);
  if (prepared.action === 'reissued') log(`the signer in ${dir} was incomplete (old files kept as ${prepared.setAside}); issued a new one under the same CA`);
  return prepared.keys;
}
