/**
 * The C2PA signing hook. Compose it LAST: it signs the bytes every earlier hook produced
 * (explicit marks, implicit metadata), and any change after it breaks the manifest's hash.
 */
import type { LabelRecord } from '../../core/artifact.ts';
import { ShenbiError } from '../../core/errors.ts';
import type { GovernanceHook } from '../hook.ts';
import type { SigningKeys } from './keys.ts';
import { c2paFormatOf } from './formats.ts';
import { signC2pa, warmUpC2pa } from './sign.ts';
import { classifySource } from './source-type.ts';
import { C2paSigningWorker } from './worker/signing-worker.ts';

export interface C2paSignHookOptions {
  /** The keys, or a loader called on first use (so a missing key fails the write, not startup). */
  readonly keys: SigningKeys | (() => Promise<SigningKeys>);
  readonly claimGenerator: { readonly name: string; readonly version: string };
  /** Warm the signer (in-process and the worker) in the background right away, so the first real artifact is signed at full speed (for servers). */
  readonly warmUp?: boolean;
  /**
   * Files at least this large are signed in a worker thread (c2pa-rs blocks its thread for
   * the whole hash: ≈0.5–1 s for a 49 MB MP4). Default 2 MB; Infinity keeps all in-process.
   */
  readonly offThreadMinBytes?: number;
}

const DEFAULT_OFF_THREAD_MIN_BYTES = 2 * 1024 * 1024;
let sharedWorker: C2paSigningWorker | undefined;
/** One signing thread per process, shared by every hook. */
function signingWorker(): C2paSigningWorker {
  sharedWorker ??= new C2paSigningWorker();
  return sharedWorker;
}

/** The label a signed artifact carries in the store. */
export interface C2paLabelValue {
  readonly manifestLabel: string;
  readonly action: string;
  readonly digitalSourceType: string;
}

export function c2paSignHook(options: C2paSignHookOptions): GovernanceHook {
  const offThreadMinBytes = options.offThreadMinBytes ?? DEFAULT_OFF_THREAD_MIN_BYTES;
  const resolveKeys = typeof options.keys === 'function' ? options.keys : () => Promise.resolve(options.keys as SigningKeys);
  if (options.warmUp === true) {
    // Best effort: missing keys surface on the first real write, with their hint.
    setImmediate(() =>
      void resolveKeys()
        .then(async (keys) => {
          await warmUpC2pa(keys);
          if (offThreadMinBytes !== Infinity) await signingWorker().warmUp({ keys, claimGenerator: options.claimGenerator });
        })
        .catch(() => {}),
    );
  }
  return {
    name: 'c2pa-sign',
    async review(candidate) {
      // Formats c2pa-rs cannot carry (text, JSON, MIDI, OGG…) need no keys: skip before loading or creating them.
      if (c2paFormatOf(candidate.mimeType) === null) return { bytes: candidate.bytes, labels: [] };
      const source = classifySource(candidate.provenance);
      let result;
      try {
        const signOptions = {
          keys: await resolveKeys(),
          title: candidate.name ?? candidate.id,
          action: source.action,
          digitalSourceType: source.digitalSourceType,
          claimGenerator: { name: options.claimGenerator.name, version: options.claimGenerator.version },
        };
        result =
          candidate.bytes.byteLength >= offThreadMinBytes
            ? await signingWorker().sign(candidate.bytes, candidate.mimeType, signOptions, { move: candidate.bytesMovable === true })
            : await signC2pa(candidate.bytes, candidate.mimeType, signOptions);
      } catch (error) {
        // Storing an unsigned file where a signature was due would silently drop the label.
        throw new ShenbiError('GOVERNANCE_REFUSED', `C2PA signing failed for ${candidate.id} (${candidate.mimeType}): ${(error as Error).message}`, {
          cause: error,
          ...(error instanceof ShenbiError && error.hint !== undefined ? { hint: error.hint } : {}),
          details: { artifactId: candidate.id, mimeType: candidate.mimeType, ...(error instanceof ShenbiError ? { reason: error.code } : {}) },
        });
      }
      // result.bytes, not candidate.bytes: those may have moved to the signing thread.
      if (!result.signed) return { bytes: result.bytes, labels: [] };
      const value: C2paLabelValue = { manifestLabel: result.manifestLabel, action: result.action, digitalSourceType: result.digitalSourceType };
      const label: LabelRecord = { type: 'c2pa', placement: 'jumbf', value };
      return { bytes: result.bytes, labels: [label] };
    },
  };
}
