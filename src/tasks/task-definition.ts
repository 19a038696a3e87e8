import type { z } from 'zod';
import type { ArtifactKind } from '../core/artifact.ts';
import type { TaskKind } from '../core/task-kinds.ts';

/** A task kind's contract: what it takes (validated at every boundary) and what it makes. */
export interface TaskDefinition<Input extends z.ZodType = z.ZodType> {
  readonly kind: TaskKind;
  readonly title: string;
  readonly description: string;
  readonly input: Input;
  /** Kinds of artifact a successful run produces. */
  readonly outputs: readonly ArtifactKind[];
  /** The input field a bare positional CLI argument fills (`shenbi generate text "hi"`). */
  readonly primaryField: string;
}

export function defineTask<Input extends z.ZodType>(definition: TaskDefinition<Input>): TaskDefinition<Input> {
  return definition;
}
