import { ApiError } from '../api/http.ts';
import { useI18n } from '../i18n.ts';

/** The server's error as it sent it: stable code, message, and the command that fixes it. */
export function ErrorBox({ error }: { error: unknown }) {
  const { t } = useI18n();
  const code = error instanceof ApiError ? error.code : null;
  const message = error instanceof Error ? error.message : String(error);
  const hint = error instanceof ApiError ? error.hint : null;
  return (
    <div className="error-box" role="alert" data-testid="error">
      <strong>{t('error')}</strong>
      {code ? <code className="error-code">{code}</code> : null}
      <p>{message}</p>
      {hint ? (
        <p className="error-hint">
          {t('fixHint')}: <code data-testid="error-hint">{hint}</code>
        </p>
      ) : null}
    </div>
  );
}
