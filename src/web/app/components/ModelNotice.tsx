import { fill, useI18n } from '../i18n.ts';
import { defaultTextModelState } from './useModelList.ts';
import type { ModelList } from '../api/models.ts';
import { PullButton } from './PullButton.tsx';

/**
 * Shown before the user tries, on a page (or mode) that needs the default text model while it
 * is not installed: the exact command, and a button that pulls it with progress.
 */
export function ModelNotice({ list, onInstalled }: { list: ModelList | null; onInstalled: () => void }) {
  const { t } = useI18n();
  const state = defaultTextModelState(list);
  if (state === null || state.installed) return null;
  return (
    <div className="model-notice" role="note" data-testid="model-needed">
      <p>{fill(t('modelNeeded'), { model: state.name })}</p>
      <p>
        {t('modelNeededHow')} <code data-testid="model-needed-command">shenbi models pull {state.name}</code>
      </p>
      <PullButton model={state.name} onInstalled={onInstalled} />
    </div>
  );
}

/** A small tag on an option or mode that needs a model (or works offline). */
export function NeedsBadge({ kind }: { kind: 'model' | 'cloud' | 'offline' }) {
  const { t } = useI18n();
  const text = kind === 'model' ? t('needsModel') : kind === 'cloud' ? t('needsCloudModel') : t('worksOffline');
  return (
    <span className={`needs-badge ${kind}`} data-testid={`badge-${kind}`}>
      {text}
    </span>
  );
}
