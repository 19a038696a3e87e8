/**
 * The task kinds Shenbi knows, one per modality family of PRODUCT.md. Each has an input
 * schema in src/tasks; engines declare which kinds they serve.
 */
export const TASK_KINDS = [
  'text',
  'code',
  'science',
  'image',
  'vision',
  'speech',
  'transcription',
  'music',
  'video',
  '3d',
  'motion',
] as const;

export type TaskKind = (typeof TASK_KINDS)[number];

export function isTaskKind(value: string): value is TaskKind {
  return (TASK_KINDS as readonly string[]).includes(value);
}
