import type { LanguageModel } from 'ai';

/** A text model ready to call, with what provenance needs to know about it. */
export interface ResolvedTextModel {
  model: LanguageModel;
  /** The name the user gave (or the default), e.g. `stories260k` or `openai:gpt-4o-mini`. */
  name: string;
  /** sha256 of the local model file; null for cloud models. */
  sha256: string | null;
  engine: { id: string; version: string };
}

/**
 * Turns a task's `model` field into a callable model: installed local models by name,
 * cloud models as `provider:model`. Absent → the configured default. Throws
 * MODEL_NOT_INSTALLED (with the pull command) or PROVIDER_KEY_MISSING, never downloads.
 */
export type TextModelResolver = (name: string | undefined) => Promise<ResolvedTextModel>;

/** The `model` input of a text step, if one was given. */
export function requestedModel(inputs: Record<string, unknown>): string | undefined {
  return typeof inputs.model === 'string' ? inputs.model : undefined;
}

/** Cache salt for text steps: a different model (or model file) must not hit another's cached answer. */
export function modelCacheSalt(resolveModel: TextModelResolver) {
  return async (inputs: Record<string, unknown>): Promise<unknown> => {
    const resolved = await resolveModel(requestedModel(inputs));
    return { model: resolved.name, sha256: resolved.sha256 };
  };
}
