import type { ShenbiConfig } from '../config/schema.ts';
import { VERSION } from '../version.ts';
import { ensureSigningKeys } from './c2pa/ensure-keys.ts';
import { c2paSignHook } from './c2pa/hook.ts';
import { explicitLabelHook } from './explicit/hook.ts';
import type { SpeakFunction } from './explicit/options.ts';
import { composeGovernance, type GovernanceHook } from './hook.ts';
import { implicitLabelHook } from './implicit/index.ts';
import { moderationHook, type Moderator } from './moderation/index.ts';

export interface GovernancePolicyOptions {
  readonly moderator: Moderator;
  /** Hooks an embedding application adds; they run after moderation, before any label. */
  readonly extra?: readonly GovernanceHook[];
  /** A voice for the spoken audio prompt (the eSpeak runner); without it, the rhythm only. */
  readonly speak?: SpeakFunction;
  readonly log?: (message: string) => void;
  /** Called with each hook's name and wall time once it has reviewed an artifact (benches print a per-stage profile). */
  readonly onStage?: (hook: string, ms: number) => void;
  /**
   * Warm the label signer (C2PA keys, its wasm in this thread and the signing worker) in the
   * background now, so the first labelled output of a long-running process (a server, a worker)
   * does not pay its cold start. One-shot commands leave it off: they would pay it up front.
   */
  readonly warmUp?: boolean;
}

/** The hook, reporting its time to `onStage`. */
function timed(hook: GovernanceHook, onStage: (hook: string, ms: number) => void): GovernanceHook {
  return {
    name: hook.name,
    async review(candidate) {
      const start = performance.now();
      try {
        return await hook.review(candidate);
      } finally {
        onStage(hook.name, performance.now() - start);
      }
    },
  };
}

/**
 * The order every artifact passes before a byte is stored, and why:
 * 1. moderation — a refusal writes nothing, so it comes before any work;
 * 2. explicit labels — visible/audible marks change the content itself;
 * 3. implicit labels — AIGC JSON, IPTC source type and the reproduction record in the
 *    container's metadata;
 * 4. C2PA — signs the final bytes; any later change would break its hash.
 */
export function governancePolicy(config: ShenbiConfig, options: GovernancePolicyOptions): GovernanceHook {
  const log = options.log ?? ((message: string) => process.stderr.write(`shenbi: ${message}\n`));
  const hooks: GovernanceHook[] = [moderationHook(options.moderator), ...(options.extra ?? [])];
  hooks.push(
    explicitLabelHook({
      ...config.labels,
      ...(options.speak ? { speak: options.speak } : {}),
      logger: { warn: (message, fields) => log(`${message} ${JSON.stringify(fields)}`) },
    }),
  );
  hooks.push(implicitLabelHook({ producer: config.producer }));
  if (config.c2pa.enabled) {
    hooks.push(
      c2paSignHook({
        keys: () => ensureSigningKeys(config.c2pa.keysDir, log),
        claimGenerator: { name: 'Shenbi', version: VERSION },
        ...(options.warmUp === true ? { warmUp: true } : {}),
      }),
    );
  }
  const { onStage } = options;
  return composeGovernance(...(onStage === undefined ? hooks : hooks.map((hook) => timed(hook, onStage))));
}
