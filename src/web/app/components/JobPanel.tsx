import type { ReactNode } from 'react';
import { useI18n } from '../i18n.ts';
import { ErrorBox } from './ErrorBox.tsx';
import { JobResult } from './JobResult.tsx';
import { ProgressBar } from './ProgressBar.tsx';
import type { JobState } from './useJob.ts';

/** The lower half of every generation page: progress while running, then the result or the error. */
export function JobPanel({ state, onCancel, children }: { state: JobState; onCancel: () => void; children?: ReactNode }) {
  const { t } = useI18n();
  return (
    <div className="job-panel" aria-live="polite">
      {state.running ? (
        <div className="running">
          <ProgressBar progress={state.progress} />
          <button type="button" className="secondary" onClick={onCancel}>
            {t('cancel')}
          </button>
        </div>
      ) : null}
      {state.error ? <ErrorBox error={state.error} /> : null}
      {state.job ? (children ?? <JobResult job={state.job} />) : null}
    </div>
  );
}
