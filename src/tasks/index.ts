import { ShenbiError } from '../core/errors.ts';
import { TASK_KINDS, isTaskKind, type TaskKind } from '../core/task-kinds.ts';
import { parseOrThrow } from '../core/validation.ts';
import { codeTask } from './code.ts';
import { imageTask } from './image.ts';
import { model3dTask } from './model3d.ts';
import { motionTask } from './motion.ts';
import { musicTask } from './music.ts';
import { scienceTask } from './science.ts';
import { speechTask } from './speech.ts';
import type { TaskDefinition } from './task-definition.ts';
import { textTask } from './text.ts';
import { transcriptionTask } from './transcription.ts';
import { videoTask } from './video.ts';
import { visionTask } from './vision.ts';

export type { TaskDefinition } from './task-definition.ts';

export const TASKS: Readonly<Record<TaskKind, TaskDefinition>> = {
  text: textTask,
  code: codeTask,
  science: scienceTask,
  image: imageTask,
  vision: visionTask,
  speech: speechTask,
  transcription: transcriptionTask,
  music: musicTask,
  video: videoTask,
  '3d': model3dTask,
  motion: motionTask,
};

export function getTask(kind: string): TaskDefinition {
  if (!isTaskKind(kind)) {
    throw new ShenbiError('UNKNOWN_TASK', `Unknown task "${kind}". Known tasks: ${TASK_KINDS.join(', ')}.`, {
      details: { known: [...TASK_KINDS] },
    });
  }
  return TASKS[kind];
}

/** Validates raw input for a task kind; INVALID_INPUT lists every bad path. */
export function parseTaskInput(kind: string, raw: unknown): Record<string, unknown> {
  const task = getTask(kind);
  return parseOrThrow(task.input, raw, 'input') as Record<string, unknown>;
}
