import { useState } from 'react';
import { pullModel, type PullProgress } from '../api/models.ts';
import { fill, useI18n } from '../i18n.ts';
import { ErrorBox } from './ErrorBox.tsx';
import { ProgressBar } from './ProgressBar.tsx';

/** Starts `POST /api/models/:name/pull` and shows its progress; tells the page when the model is in. */
export function PullButton({ model, onInstalled }: { model: string; onInstalled?: () => void }) {
  const { t } = useI18n();
  const [progress, setProgress] = useState<PullProgress | null>(null);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const pull = async () => {
    setError(null);
    setProgress({ fraction: null, received: null, total: null });
    try {
      await pullModel(model, setProgress);
      setDone(true);
      onInstalled?.();
    } catch (caught) {
      setError(caught);
    } finally {
      setProgress(null);
    }
  };
  if (done) {
    return (
      <p className="pull-done" role="status" data-testid="pull-done">
        {fill(t('modelPulled'), { model })}
      </p>
    );
  }
  return (
    <div className="pull" data-testid="pull">
      {progress === null ? (
        <button type="button" data-testid="pull-button" onClick={() => void pull()}>
          {fill(t('pullModel'), { model })}
        </button>
      ) : (
        <ProgressBar progress={{ fraction: progress.fraction, message: null, stepId: null, etaMs: null }} />
      )}
      {error !== null ? <ErrorBox error={error} allowPull={false} /> : null}
    </div>
  );
}
