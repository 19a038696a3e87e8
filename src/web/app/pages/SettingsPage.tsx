import { useEffect, useState } from 'react';
import { requestJson } from '../api/http.ts';
import { listModels } from '../api/models.ts';
import { useI18n } from '../i18n.ts';
import { pipelineTitle } from '../i18n-values.ts';

interface Loaded {
  providers: string[] | null;
  pipelines: { id: string; title?: string }[] | null;
  openapi: { info?: { title?: string; version?: string } } | null;
}

/** What the server tells about itself. Read-only: configuration lives in config.json and the environment. */
export function SettingsPage() {
  const { t, language } = useI18n();
  const [loaded, setLoaded] = useState<Loaded>({ providers: null, pipelines: null, openapi: null });
  useEffect(() => {
    const pipelines = requestJson<unknown>('/api/pipelines').then(
      (body) => {
        const list = Array.isArray(body) ? body : typeof body === 'object' && body !== null && 'data' in body ? (body as { data: unknown }).data : null;
        return Array.isArray(list) ? (list as { id: string; title?: string }[]) : null;
      },
      () => null,
    );
    const openapi = requestJson<Loaded['openapi']>('/api/openapi.json').catch(() => null);
    const providers = listModels().then((m) => m.providers, () => null);
    void Promise.all([providers, pipelines, openapi]).then(([v, p, o]) => setLoaded({ providers: v, pipelines: p, openapi: o }));
  }, []);

  return (
    <div className="settings">
      <p className="note">{t('settingsReadOnly')}</p>
      <section className="card">
        <h2>{t('server')}</h2>
        <dl>
          <dt>URL</dt>
          <dd>
            <code>{location.origin}</code>
          </dd>
          <dt>API</dt>
          <dd>
            <a href="/api/openapi.json">/api/openapi.json</a> {loaded.openapi?.info?.version ? <span translate="no">({loaded.openapi.info.title ?? ''} {loaded.openapi.info.version})</span> : ''} ·{' '}
            <code>/v1</code> ({t('openaiCompatible')})
          </dd>
        </dl>
      </section>
      <section className="card">
        <h2>{t('providers')}</h2>
        <p className="muted">{t('providersNote')}</p>
        {loaded.providers === null ? (
          <p className="muted">{t('unavailableEndpoint')}</p>
        ) : loaded.providers.length === 0 ? (
          <p data-testid="providers">{t('noProviders')}</p>
        ) : (
          <ul className="plain" data-testid="providers">
            {loaded.providers.map((name) => (
              <li key={name}>
                <code>{name}</code> <span className="pill ok">{t('keySet')}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card">
        <h2>{t('apiKeys')}</h2>
        <p className="muted">{t('apiKeysNote')}</p>
      </section>
      <section className="card">
        <h2>{t('pipelines')}</h2>
        {loaded.pipelines ? (
          <ul className="plain">
            {loaded.pipelines.map((p) => (
              <li key={p.id}>
                <code>{p.id}</code> {pipelineTitle(language, p.id, p.title ?? null)}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{t('unavailableEndpoint')}</p>
        )}
      </section>
    </div>
  );
}
