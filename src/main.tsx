/** App entry: mounts React and installs the console API. The compute worker starts on import of state/. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './features/shell/App';
import { installConsoleApi } from './state/debugApi';
import './styles.css';

installConsoleApi();
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
