import { useCallback, useEffect, useState } from 'react';
import { listModels, pullModel, type ModelRow, type PullProgress } from '../api/models.ts';
import { formatBytes } from '../components/ArtifactView.tsx';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { useI18n } from '../i18n.ts';
import { optionLabel } from '../i18n-values.ts';

/** Installed and recommended models; pulling one shows its download progress. */
export function ModelsPage() {
  const { t, language } = useI18n();
  const [rows, setRows] = useState<ModelRow[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [pulls, setPulls] = useState<Record<string, PullProgress>>({});
  const load = useCallback(() => {
    listModels().then(({ rows: found }) => setRows(found), (e: unknown) => {
      setError(e);
      setRows([]);
    });
  }, []);
  useEffect(() => {
    load();
  }, [load]);

  const pull = async (name: string) => {
    setError(null);
    setPulls((p) => ({ ...p, [name]: { fraction: null, received: null, total: null } }));
    try {
      await pullModel(name, (progress) => setPulls((p) => ({ ...p, [name]: progress })));
      load();
    } catch (e) {
      setError(e);
    } finally {
      setPulls(({ [name]: _done, ...rest }) => rest);
    }
  };

  // The catalog's Chinese description in the zh UI; a model without one (user-imported) shows none rather than English.
  const description = (row: ModelRow) => (language === 'zh' ? row.descriptionZh : row.description);
  return (
    <div className="card">
      <div className="actions">
        <button type="button" className="secondary" onClick={load}>
          {t('refresh')}
        </button>
      </div>
      {error ? <ErrorBox error={error} /> : null}
      {rows === null ? <div aria-busy="true" /> : rows.length === 0 ? <p>{t('noModels')}</p> : null}
      {rows && rows.length > 0 ? (
        <div className="table-scroll">
        <table className="models">
          <thead>
            <tr>
              <th scope="col">{t('modelColumn')}</th>
              <th scope="col">{t('type')}</th>
              <th scope="col">{t('size')}</th>
              <th scope="col">{t('licence')}</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const pulling = pulls[row.name];
              return (
                <tr key={row.name} data-testid="model-row">
                  <th scope="row">
                    <code>{row.name}</code>
                    {description(row) ? <div className="muted">{description(row)}</div> : null}
                  </th>
                  <td>{(row.task ?? '').split(/,\s*/).filter(Boolean).map((task) => optionLabel(language, 'task', task)).join(language === 'zh' ? '、' : ', ')}</td>
                  <td>{formatBytes(row.size)}</td>
                  <td translate="no">{row.licence ?? ''}</td>
                  <td>
                    {row.installed ? (
                      <span className="pill ok">{t('installed')}</span>
                    ) : pulling ? (
                      <progress max={1} {...(pulling.fraction === null ? {} : { value: pulling.fraction })} aria-label={`${t('pulling')} ${row.name}`} />
                    ) : (
                      <button type="button" onClick={() => void pull(row.name)}>
                        {t('pull')}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        </div>
      ) : null}
    </div>
  );
}
