import { PROVIDER_PRESETS, type ProviderConfig } from '../providers/config.ts';

/** Provider kinds with a talking-head (portrait + audio → video) adapter here. */
export const TALKING_HEAD_PROVIDER_KINDS = ['fal', 'replicate', 'did'] as const;
export type TalkingHeadProviderKind = (typeof TALKING_HEAD_PROVIDER_KINDS)[number];

export function isTalkingHeadProviderKind(kind: string): kind is TalkingHeadProviderKind {
  return (TALKING_HEAD_PROVIDER_KINDS as readonly string[]).includes(kind);
}

/**
 * Whether `model` (`fal:fal-ai/sadtalker`, `replicate:owner/name[:version]`, `did:talks`, or a
 * configured provider of those kinds) goes to a cloud talking-head provider rather than the
 * local renderer. Kept free of network code so step routing can ask cheaply.
 */
export function isTalkingHeadProviderModel(model: string, providers: { providers?: readonly ProviderConfig[] | undefined } | readonly ProviderConfig[] = []): boolean {
  const configured = Array.isArray(providers) ? (providers as readonly ProviderConfig[]) : ((providers as { providers?: readonly ProviderConfig[] }).providers ?? []);
  const name = model.split(':')[0];
  const config = [...configured, ...PROVIDER_PRESETS].find((p) => p.name === name);
  return config !== undefined && isTalkingHeadProviderKind(config.kind);
}
