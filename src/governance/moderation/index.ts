export { moderationConfigSchema, defaultModerationConfig, type ModerationConfig, type ModerationProviderConfig } from './config.ts';
export { DEFAULT_TERMS, type ModerationTerm } from './default-terms.ts';
export { normalizeForMatching } from './normalize.ts';
export { Moderator, throwIfRefused, readTermsFile, type ModerationVerdict, type ModerationReason, type ModeratorOptions } from './moderator.ts';
export { moderateWithProvider, type ProviderVerdict } from './provider.ts';
export { moderationAdmission, collectProse } from './input-check.ts';
export { moderationHook } from './moderation-hook.ts';
export { moderationMiddleware, withModeration, streamWindow } from './stream-middleware.ts';
export { consentSchema, consentField, requireConsent, type Consent } from './consent.ts';
