import type { StepContext } from '../../../core/step.ts';
import type { SceneProgram } from '../../../engines/scene3d/scene-program.ts';
import { validateSceneProgram } from '../../../engines/scene3d/validate-program.ts';
import { readStoredJsonInput } from '../stored-json-input.ts';

/** A `program` input read back: the program, and the artifact it came from (a parent of what is built). */
export interface ProgramInput {
  program: SceneProgram;
  artifactId: string | undefined;
}

/** The `program` input: an art_ id of a stored scene program, or the JSON itself (see readStoredJsonInput). */
export async function readProgramInput(ctx: Pick<StepContext, 'readArtifact'>, value: string): Promise<ProgramInput> {
  const { json, artifactId } = await readStoredJsonInput(ctx, value, { port: 'program', what: 'scene program', notJsonCode: 'SCENE_INVALID' });
  return { program: validateSceneProgram(json), artifactId };
}
