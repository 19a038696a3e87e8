import { ShenbiError, type ErrorCode } from '../../core/errors.ts';
import type { StepContext } from '../../core/step.ts';

/** Anything shaped like an artifact id is looked up (a wrong one is ARTIFACT_NOT_FOUND, not a JSON error). */
const ARTIFACT_ID = /^art_[A-Za-z0-9_-]+$/;

/** How one step names its JSON input in errors (a 3D `program`, a motion `plan`). */
export interface StoredJsonInputNames {
  /** The port: `program`, `plan`. */
  port: string;
  /** What the JSON is: `scene program`, `action plan`. */
  what: string;
  /** The code for text that is not JSON. */
  notJsonCode: ErrorCode;
}

/**
 * A JSON document given to a step as an art_ id of a stored copy (one a step stored, or an
 * edited copy) or as the JSON itself; the artifact becomes a parent of what is made from it.
 * A stored copy carries its implicit AIGC label as a top-level "AIGC" member (governance adds
 * it to every JSON artifact): that is not part of the document, and is removed here.
 */
export async function readStoredJsonInput(ctx: Pick<StepContext, 'readArtifact'>, value: string, names: StoredJsonInputNames): Promise<{ json: unknown; artifactId: string | undefined }> {
  const { port, what } = names;
  const trimmed = value.trim();
  let artifactId: string | undefined;
  let text = trimmed;
  if (ARTIFACT_ID.test(trimmed)) {
    artifactId = trimmed;
    const { artifact, bytes } = await ctx.readArtifact(trimmed);
    if (!artifact.mimeType.startsWith('application/json') && artifact.kind !== 'json') {
      throw new ShenbiError('INVALID_INPUT', `${port}: ${trimmed} is a ${artifact.kind} artifact (${artifact.mimeType}), not ${/^[aeiou]/.test(what) ? 'an' : 'a'} ${what} JSON.`);
    }
    text = bytes.toString('utf8');
  } else if (!trimmed.startsWith('{')) {
    throw new ShenbiError('INVALID_INPUT', `${port} must be an artifact id (art_…) of a stored ${what}, or the ${port} as a JSON object.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ShenbiError(names.notJsonCode, `${port}${artifactId ? ` ${artifactId}` : ''} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    for (const key of Object.keys(parsed)) if (key.toUpperCase() === 'AIGC') delete (parsed as Record<string, unknown>)[key];
  }
  return { json: parsed, artifactId };
}
