import { ApiError } from '../api/http.ts';
import { useI18n } from '../i18n.ts';
import { errorTitle } from '../i18n-values.ts';
import { PullButton } from './PullButton.tsx';

/** A hint that is the pull command (alone, or followed by " — " and another way round) names a model the studio can pull itself. */
const PULL_HINT = /^shenbi models pull ([\w.-]+)(?:$| — )/;

/**
 * The server's error: what its stable code means (in the UI's language), the code, the
 * command that fixes it (with a Pull button when that command is a model pull), and the
 * server's own message as detail.
 */
export function ErrorBox({ error, allowPull = true }: { error: unknown; allowPull?: boolean }) {
  const { t, language } = useI18n();
  const code = error instanceof ApiError ? error.code : null;
  const message = error instanceof Error ? error.message : String(error);
  const hint = error instanceof ApiError ? error.hint : null;
  const title = errorTitle(language, code);
  const pullable = allowPull && hint !== null ? (PULL_HINT.exec(hint)?.[1] ?? null) : null;
  // The server speaks English: in Chinese its message is detail under the translated title.
  const messageIsForeign = language === 'zh' && /[A-Za-z]{3,}/.test(message);
  return (
    <div className="error-box" role="alert" data-testid="error">
      <strong>{title ?? t('error')}</strong>
      {code ? <code className="error-code">{code}</code> : null}
      {title !== null && messageIsForeign ? (
        <details className="error-detail">
          <summary>{t('serverMessage')}</summary>
          <p lang="en" data-testid="error-message">
            {message}
          </p>
        </details>
      ) : (
        <p data-testid="error-message">{message}</p>
      )}
      {hint ? (
        <p className="error-hint">
          {t('fixHint')}: <code data-testid="error-hint">{hint}</code>
        </p>
      ) : null}
      {pullable !== null ? <PullButton model={pullable} /> : null}
    </div>
  );
}
