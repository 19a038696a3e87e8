import { useI18n } from '../i18n.ts';

/** A task with a contract but no engine yet (motion): say so plainly. */
export function UnavailablePage({ task }: { task: '3d' | 'motion' }) {
  const { t } = useI18n();
  return (
    <div className="card unavailable" data-testid="unavailable">
      <h2>{t('notAvailable')}</h2>
      <p>{t('notAvailableBody')}</p>
      <p>
        <code>shenbi tasks list</code> → <code>{task}</code>
      </p>
    </div>
  );
}
