import { useI18n, type MessageKey } from '../../i18n.ts';
import type { JobState } from '../useJob.ts';

export type StageState = 'waiting' | 'running' | 'done' | 'failed';

const STAGE_STATE_LABEL: Readonly<Record<StageState, MessageKey>> = { waiting: 'shortStageWaiting', running: 'shortStageRunning', done: 'shortStageDone', failed: 'shortStageFailed' };

/** Each stage's state from the job's progress: stages before the running one are done; all are, once the job is. */
export function stageStates(stages: readonly string[], state: JobState): StageState[] {
  const current = state.progress.stepId === null ? -1 : stages.indexOf(state.progress.stepId);
  return stages.map((_, index) => {
    if (state.job?.status === 'completed') return 'done';
    if (index < current) return 'done';
    if (index === current) return state.running ? 'running' : state.error ? 'failed' : 'done';
    return 'waiting';
  });
}

/**
 * The job's stages in order, each with its state and the latest thing its step said (the
 * server's own words: English detail, marked so).
 */
export function ShortStages({ stages, labels, state, messages }: { stages: readonly string[]; labels: Readonly<Record<string, MessageKey>>; state: JobState; messages: Readonly<Record<string, string>> }) {
  const { t } = useI18n();
  if (!state.running && state.job === null && state.error === null) return null;
  const states = stageStates(stages, state);
  return (
    <ol className="short-stages" data-testid="short-stages" aria-label={t('progress')}>
      {stages.map((stage, index) => {
        const message = messages[stage];
        return (
          <li key={stage} data-stage={stage} data-state={states[index]}>
            <strong>{t(labels[stage] ?? 'running')}</strong> <span className="muted">{t(STAGE_STATE_LABEL[states[index]!])}</span>
            {message ? (
              <span className="short-stage-message muted" lang={/[A-Za-z]{2,}/.test(message) ? 'en' : undefined} data-testid="short-stage-message">
                {message}
              </span>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
