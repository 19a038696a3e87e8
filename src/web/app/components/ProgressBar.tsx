import type { JobProgress } from '../api/jobs.ts';
import { useI18n } from '../i18n.ts';
import { progressLabel } from '../i18n-values.ts';

/** Whole-job progress from the SSE events; indeterminate until the job reports a fraction. */
export function ProgressBar({ progress }: { progress: JobProgress }) {
  const { t, language } = useI18n();
  // A message without a step is the studio's own (already translated); a step's comes from the server.
  const message = progress.stepId === null ? progress.message : progressLabel(language, progress.stepType ?? null, progress.message);
  const percent = progress.fraction === null ? null : Math.round(progress.fraction * 100);
  return (
    <div className="progress" data-testid="progress">
      <div
        className={percent === null ? 'progress-track indeterminate' : 'progress-track'}
        role="progressbar"
        aria-label={t('progress')}
        aria-valuemin={0}
        aria-valuemax={100}
        {...(percent === null ? {} : { 'aria-valuenow': percent })}
      >
        <div className="progress-fill" style={{ width: `${percent ?? 30}%` }} />
      </div>
      <div className="progress-caption">
        <span>{percent === null ? t('running') : `${percent}%`}</span>
        {message ? (
          <span className="progress-message" data-testid="progress-message">
            {message}
          </span>
        ) : null}
        {progress.etaMs !== null && progress.etaMs > 0 ? (
          <span>
            {t('eta')} {Math.ceil(progress.etaMs / 1000)} {t('seconds')}
          </span>
        ) : null}
      </div>
    </div>
  );
}
