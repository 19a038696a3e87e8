import { ShenbiError } from '../../../core/errors.ts';
import type { StepContext } from '../../../core/step.ts';
import type { SceneProgram } from '../../../engines/scene3d/scene-program.ts';
import { validateSceneProgram } from '../../../engines/scene3d/validate-program.ts';

const ARTIFACT_ID = /^art_[A-Za-z0-9_-]+$/;

/** A `program` input read back: the program, and the artifact it came from (a parent of what is built). */
export interface ProgramInput {
  program: SceneProgram;
  artifactId: string | undefined;
}

/**
 * The `program` input: an art_ id of a stored scene program (one this step stored, or an edited
 * copy) or the JSON itself. A stored program carries its implicit AIGC label as a top-level
 * "AIGC" member (governance adds it to every JSON artifact); that is not part of the program.
 */
export async function readProgramInput(ctx: Pick<StepContext, 'readArtifact'>, value: string): Promise<ProgramInput> {
  const trimmed = value.trim();
  let artifactId: string | undefined;
  let text = trimmed;
  if (ARTIFACT_ID.test(trimmed)) {
    artifactId = trimmed;
    const { artifact, bytes } = await ctx.readArtifact(trimmed);
    if (!artifact.mimeType.startsWith('application/json') && artifact.kind !== 'json') {
      throw new ShenbiError('INVALID_INPUT', `program: ${trimmed} is a ${artifact.kind} artifact (${artifact.mimeType}), not a scene program JSON.`);
    }
    text = bytes.toString('utf8');
  } else if (!trimmed.startsWith('{')) {
    throw new ShenbiError('INVALID_INPUT', 'program must be an artifact id (art_…) of a stored scene program, or the program as a JSON object.');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ShenbiError('SCENE_INVALID', `program${artifactId ? ` ${artifactId}` : ''} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    for (const key of Object.keys(parsed)) if (key.toUpperCase() === 'AIGC') delete (parsed as Record<string, unknown>)[key];
  }
  return { program: validateSceneProgram(parsed), artifactId };
}
