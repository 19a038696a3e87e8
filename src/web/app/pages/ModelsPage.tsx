import { useCallback, useEffect, useState } from 'react';
import { listModels, pullModel, type ModelRow, type PullProgress } from '../api/models.ts';
import { formatBytes } from '../components/ArtifactView.tsx';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { useI18n } from '../i18n.ts';

/** Installed and recommended models; pulling one shows its download progress. */
export function ModelsPage() {
  const { t } = useI18n();
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
        <table className="models">
          <thead>
            <tr>
              <th scope="col">Model</th>
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
                    {row.description ? <div className="muted">{row.description}</div> : null}
                  </th>
                  <td>{row.task ?? ''}</td>
                  <td>{formatBytes(row.size)}</td>
                  <td>{row.licence ?? ''}</td>
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
      ) : null}
    </div>
  );
}
