/** The application shell: header, navigation between areas, and the active screen. */
import { SystemPanel } from '../system/SystemPanel';
import { BackendBadge } from '../system/BackendBadge';

export function App() {
  return (
    <div className="app">
      <header className="app-header">
        <h1 className="brand">sensescape</h1>
        <p className="tagline">Interpretable sense embeddings and BERT loss landscapes, computed on your machine.</p>
        <BackendBadge />
      </header>
      <main className="app-main">
        <SystemPanel />
      </main>
      <footer className="app-footer">Everything runs locally: no file you open leaves this machine.</footer>
    </div>
  );
}
