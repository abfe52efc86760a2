/** The application shell: header, navigation between areas (kept in the URL hash), and the active screen. */
import { useEffect, useState } from 'react';
import { LandscapeStudio } from '../landscape/LandscapeStudio';
import { SensesScreen } from '../senses/SensesScreen';
import { SystemPanel } from '../system/SystemPanel';
import { BackendBadge } from '../system/BackendBadge';
import { param, parseHash } from '../../state/urlState';

const VIEWS = ['senses', 'landscapes', 'system'] as const;
type View = (typeof VIEWS)[number];
const TABLE = { view: param.oneOf(VIEWS, 'senses') };
const LABELS: Record<View, string> = { senses: 'Senses', landscapes: 'Landscapes', system: 'System' };

function useView(): [View, (v: View) => void] {
  const [view, setView] = useState<View>(() => parseHash(TABLE, location.hash).view);
  useEffect(() => {
    const onHash = () => setView(parseHash(TABLE, location.hash).view);
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return [view, (v) => (location.hash = `view=${v}`)];
}

export function App() {
  const [view, setView] = useView();
  return (
    <div className="app">
      <header className="app-header">
        <h1 className="brand">sensescape</h1>
        <nav aria-label="areas">
          <ul className="tabs" role="tablist">
            {VIEWS.map((v) => (
              <li key={v}>
                <button
                  type="button"
                  role="tab"
                  aria-selected={view === v}
                  className={view === v ? 'tab active' : 'tab'}
                  onClick={() => setView(v)}
                  data-testid={`tab-${v}`}
                >
                  {LABELS[v]}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <p className="tagline">Interpretable sense embeddings and BERT loss landscapes, computed on your machine.</p>
        <BackendBadge />
      </header>
      <main className="app-main">
        {view === 'system' ? <SystemPanel /> : view === 'landscapes' ? <LandscapeStudio /> : <SensesScreen />}
      </main>
      <footer className="app-footer">Everything runs locally: no file you open leaves this machine.</footer>
    </div>
  );
}
