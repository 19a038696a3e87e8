import { PROVIDER_PRESETS, type ProviderConfig } from '../providers/config.ts';

/** Provider kinds that make motion (joint positions) rather than text. */
export const MOTION_PROVIDER_KINDS = ['motion-http'] as const;

/**
 * Whether `provider:model` names a configured text-to-motion server, so motion.generate asks
 * it for joints instead of treating `model` as a text model that writes the plan.
 */
export function isMotionProviderSpec(spec: string, providers: readonly ProviderConfig[] = []): boolean {
  const name = spec.split(':')[0];
  const config = [...providers, ...PROVIDER_PRESETS].find((p) => p.name === name);
  return config !== undefined && (MOTION_PROVIDER_KINDS as readonly string[]).includes(config.kind);
}
