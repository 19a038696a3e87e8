import { useEffect, useMemo, useState } from 'react';
import { I18nContext, initialLanguage, saveLanguage, translator, type Language } from './i18n.ts';
import { ROUTES } from './routes.tsx';

function currentPath(): string {
  const path = location.hash.replace(/^#\/?/, '');
  return ROUTES.some((r) => r.path === path) ? path : ROUTES[0]!.path;
}

export function App() {
  const [language, setLanguage] = useState<Language>(initialLanguage);
  const [path, setPath] = useState(currentPath);
  const t = useMemo(() => translator(language), [language]);

  useEffect(() => {
    const onHash = () => setPath(currentPath());
    window.addEventListener('hashchange', onHash);
    return () => {
      window.removeEventListener('hashchange', onHash);
    };
  }, []);
  useEffect(() => {
    saveLanguage(language);
    document.title = `${t('appName')} · Shenbi`;
  }, [language, t]);

  const route = ROUTES.find((r) => r.path === path) ?? ROUTES[0]!;
  const groups = ['navCreate', 'navScenarios', 'navManage'] as const;
  return (
    <I18nContext.Provider value={{ language, t }}>
      <a className="skip-link" href="#main">
        {t('skipToContent')}
      </a>
      <div className="layout">
        <aside className="sidebar">
          <div className="brand">
            <span className="brand-mark" aria-hidden="true">
              笔
            </span>
            <div>
              <div className="brand-name">{t('appName')}</div>
              <div className="brand-tagline">{t('tagline')}</div>
            </div>
          </div>
          <nav aria-label="Shenbi">
            {groups.map((group) => (
              <div key={group} className="nav-group">
                <div className="nav-heading">{t(group)}</div>
                <ul>
                  {ROUTES.filter((r) => r.group === group).map((r) => (
                    <li key={r.path}>
                      <a href={`#/${r.path}`} aria-current={r.path === route.path ? 'page' : undefined}>
                        {t(r.title)}
                      </a>
                    </li>
                  ))}
                </ul>
              </div>
            ))}
          </nav>
          <button
            type="button"
            className="language-switch secondary"
            data-testid="language-switch"
            aria-label={t('language')}
            onClick={() => setLanguage(language === 'zh' ? 'en' : 'zh')}
          >
            {t('switchLanguage')}
          </button>
        </aside>
        <main id="main" tabIndex={-1}>
          <h1>{t(route.title)}</h1>
          <div key={route.path}>{route.render()}</div>
        </main>
      </div>
    </I18nContext.Provider>
  );
}
