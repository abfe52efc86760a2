/**
 * The System view's Memory card: browser storage (usage, quota, persisted), what the landscape tray
 * holds (each checkpoint's file bytes, its weights in the worker as F32 or F16, stored or in memory only),
 * the compute worker's tfjs memory, and the page's memory where the browser reports it. So a user
 * loading BERT-base checkpoints can see how close the tab is to what it can hold.
 */
import { useEffect } from 'react';
import { useBrowserStorage } from '../../state/browserStorage';
import { useLandscape } from '../../state/landscape';
import { useMemory } from '../../state/memory';
import { formatBytes } from '../../state/storageFit';
import { trayMemory } from '../../state/trayMemory';

const NOT_REPORTED = 'not reported';

export function MemoryCard() {
  const refresh = useMemory((s) => s.refresh);
  const watch = useMemory((s) => s.watch);
  useEffect(() => {
    refresh();
    return watch();
  }, [refresh, watch]);
  return (
    <section className="card" aria-labelledby="memory-title" data-testid="memory-card">
      <h2 id="memory-title">Memory</h2>
      <StorageFacts />
      <TrayTable />
      <ComputeFacts />
      <button type="button" onClick={refresh} data-testid="memory-refresh">
        Refresh
      </button>
    </section>
  );
}

function StorageFacts() {
  const { estimate, supported, persisted, persistAsked } = useBrowserStorage();
  const usage = estimate?.usage;
  const quota = estimate?.quota;
  return (
    <>
      <h3>Browser storage</h3>
      <dl className="facts">
        <dt>Used</dt>
        <dd data-testid="memory-storage-usage" data-bytes={usage ?? ''}>
          {usage === undefined ? NOT_REPORTED : formatBytes(usage)}
        </dd>
        <dt>Quota</dt>
        <dd data-testid="memory-storage-quota" data-bytes={quota ?? ''}>
          {quota === undefined ? (supported ? NOT_REPORTED : 'no storage API in this browser') : formatBytes(quota)}
        </dd>
        <dt>Persistent</dt>
        <dd data-testid="memory-storage-persisted" data-persisted={persisted === null ? '' : String(persisted)}>
          {persisted === null
            ? NOT_REPORTED
            : persisted
              ? 'yes (not evicted under storage pressure)'
              : `no${persistAsked ? ' (asked; the browser declined)' : ''} — may be evicted under storage pressure`}
        </dd>
      </dl>
    </>
  );
}

function TrayTable() {
  const checkpoints = useLandscape((s) => s.checkpoints);
  if (checkpoints.length === 0)
    return (
      <>
        <h3>Landscape tray</h3>
        <p className="hint" data-testid="memory-tray-empty">
          No checkpoints in the tray.
        </p>
      </>
    );
  const fileBytes = checkpoints.reduce((sum, c) => sum + (c.storage?.bytes ?? 0), 0);
  const weightBytes = trayMemory(checkpoints.flatMap((c) => (c.summary ? [c.summary] : []))).heldBytes;
  return (
    <>
      <h3>Landscape tray</h3>
      <table className="values" data-testid="memory-tray">
        <thead>
          <tr>
            <th scope="col">Checkpoint</th>
            <th scope="col">Files</th>
            <th scope="col">Weights in the worker</th>
            <th scope="col">Kept</th>
          </tr>
        </thead>
        <tbody>
          {checkpoints.map((c) => (
            <tr
              key={c.id}
              data-testid={`memory-tray-${c.name}`}
              data-bytes={c.storage?.bytes ?? ''}
              data-stored={c.storage ? String(c.storage.stored) : ''}
            >
              <td>{c.name}</td>
              <td>{c.storage ? formatBytes(c.storage.bytes) : NOT_REPORTED}</td>
              <td data-testid={`memory-held-${c.name}`} data-bytes={c.summary?.hold.bytes ?? ''}>
                {c.summary ? `${formatBytes(c.summary.hold.bytes)} as ${c.summary.hold.dtype}` : c.status}
              </td>
              <td>{!c.storage ? NOT_REPORTED : c.storage.stored ? 'stored in this browser' : 'in memory only'}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr data-testid="memory-tray-total" data-bytes={fileBytes} data-weight-bytes={weightBytes}>
            <th scope="row">Total</th>
            <td>{formatBytes(fileBytes)}</td>
            <td>{formatBytes(weightBytes)}</td>
            <td />
          </tr>
        </tfoot>
      </table>
    </>
  );
}

const LINEAR_PATHS = {
  'simd-heap': 'WebAssembly SIMD kernel on the weights as stored (held once)',
  tfjs: 'tfjs (XNNPACK) with a transposed copy of each weight',
  device: 'tfjs on the GPU',
} as const;

function ComputeFacts() {
  const worker = useMemory((s) => s.worker);
  const page = useMemory((s) => s.page);
  const m = worker.state === 'done' ? worker.result : null;
  return (
    <>
      <h3>Compute worker (tfjs)</h3>
      {worker.state === 'failed' && (
        <p className="error" role="alert">
          {worker.error}
        </p>
      )}
      <dl className="facts" data-testid="memory-worker" data-state={worker.state}>
        <dt>Tensors</dt>
        <dd data-testid="memory-worker-tensors">{m ? m.numTensors : '…'}</dd>
        <dt>Tensor bytes</dt>
        <dd data-testid="memory-worker-bytes" data-bytes={m?.numBytes ?? ''}>
          {m ? `${formatBytes(m.numBytes)}${m.unreliable ? ' (tfjs: may be incomplete)' : ''}` : '…'}
        </dd>
        <dt>In GPU memory</dt>
        <dd data-testid="memory-worker-gpu">
          {!m ? '…' : m.numBytesInGPU === null ? `${NOT_REPORTED} on ${m.backend}` : formatBytes(m.numBytesInGPU)}
        </dd>
        <dt>BERT Linears</dt>
        <dd data-testid="memory-worker-linears" data-path={m?.linears ?? ''}>
          {m ? LINEAR_PATHS[m.linears] : '…'}
        </dd>
        <dt>Page</dt>
        <dd data-testid="memory-page" data-source={page?.source ?? ''}>
          {page
            ? `${formatBytes(page.bytes)}${page.limit ? ` of a ${formatBytes(page.limit)} JS heap limit` : ''} (${page.source})`
            : NOT_REPORTED}
        </dd>
      </dl>
    </>
  );
}
