/** A compact badge in the header naming the compute backend in use. */
import { useSystem } from '../../state/system';

export function BackendBadge() {
  const status = useSystem((s) => s.status);
  const backend = useSystem((s) => s.backend);
  const label = status === 'ready' && backend ? backend.backend : status === 'failed' ? 'no backend' : 'starting…';
  return (
    <span
      className={`badge badge-${status}`}
      role="status"
      aria-label={`compute backend: ${label}`}
      data-testid="backend-badge"
    >
      {label}
    </span>
  );
}
