/**
 * System screen: the compute backend and why better rungs were skipped, the self-check (a matmul in
 * the worker against a float64 reference), a cancellable throughput test, memory, and the backend log.
 */
import { useState } from 'react';
import { MemoryCard } from './MemoryCard';
import { useSystem } from '../../state/system';

export function SystemPanel() {
  return (
    <div className="grid">
      <BackendCard />
      <SelfCheckCard />
      <ThroughputCard />
      <MemoryCard />
      <EventLog />
    </div>
  );
}

function BackendCard() {
  const { status, backend, error } = useSystem();
  return (
    <section
      className="card"
      aria-labelledby="backend-title"
      data-testid="backend-card"
      data-backend={backend?.backend ?? ''}
      data-status={status}
    >
      <h2 id="backend-title">Compute backend</h2>
      {status === 'starting' && <p>Starting the compute worker…</p>}
      {status === 'failed' && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {backend && (
        <dl className="facts">
          <dt>Backend</dt>
          <dd data-testid="backend-name">{backend.backend}</dd>
          <dt>Runs in</dt>
          <dd>{backend.realm === 'worker' ? 'a dedicated Web Worker' : backend.realm}</dd>
          {backend.adapter && (
            <>
              <dt>GPU adapter</dt>
              <dd data-testid="adapter">
                {[
                  backend.adapter.vendor,
                  backend.adapter.architecture,
                  backend.adapter.device,
                  backend.adapter.description,
                ]
                  .filter(Boolean)
                  .join(' · ') || 'not disclosed by the browser'}
              </dd>
              <dt>Fallback adapter</dt>
              <dd data-testid="adapter-fallback">
                {backend.adapter.isFallbackAdapter === null
                  ? 'not reported'
                  : backend.adapter.isFallbackAdapter
                    ? 'yes (software, slow)'
                    : 'no'}
              </dd>
            </>
          )}
          <dt>tfjs</dt>
          <dd>{backend.tfjsVersion}</dd>
        </dl>
      )}
      {backend && backend.skipped.length > 0 && (
        <>
          <h3>Skipped</h3>
          <ul className="skipped" data-testid="skipped">
            {backend.skipped.map((s, i) => (
              <li key={`${s.backend}-${i}`}>
                <strong>{s.backend}</strong>: {s.reason}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function SelfCheckCard() {
  const selfCheck = useSystem((s) => s.selfCheck);
  const run = useSystem((s) => s.runSelfCheck);
  const status = useSystem((s) => s.status);
  return (
    <section
      className="card"
      aria-labelledby="selfcheck-title"
      data-testid="selfcheck"
      data-state={selfCheck.state}
      data-ok={selfCheck.state === 'done' ? String(selfCheck.result.ok) : ''}
    >
      <h2 id="selfcheck-title">Self-check</h2>
      <p className="hint">
        A 128×128 matmul computed in the worker, compared with a float64 typed-array reference that does not use tfjs.
      </p>
      {selfCheck.state === 'running' && <p>Checking…</p>}
      {selfCheck.state === 'done' && (
        <p className={selfCheck.result.ok ? 'ok' : 'error'}>
          {selfCheck.result.ok ? '✓ pass' : '✗ FAIL'} on {selfCheck.result.backend}: max |error|{' '}
          {selfCheck.result.maxAbsError.toExponential(2)} (tolerance {selfCheck.result.tolerance.toExponential(1)}),{' '}
          {selfCheck.result.ms.toFixed(0)} ms
        </p>
      )}
      {selfCheck.state === 'failed' && (
        <p className="error" role="alert">
          {selfCheck.error}
        </p>
      )}
      <button type="button" onClick={run} disabled={status !== 'ready' || selfCheck.state === 'running'}>
        Run again
      </button>
    </section>
  );
}

function ThroughputCard() {
  const throughput = useSystem((s) => s.throughput);
  const { runThroughput, cancelThroughput, status } = useSystem();
  const [size, setSize] = useState(256);
  const [rounds, setRounds] = useState(50);
  const running = throughput.state === 'running';
  const progress = throughput.state === 'running' ? throughput.progress : undefined;
  return (
    <section className="card" aria-labelledby="throughput-title" data-testid="throughput" data-state={throughput.state}>
      <h2 id="throughput-title">Throughput</h2>
      <p className="hint">Repeated square matmuls, each read back; cancel stops the worker between rounds.</p>
      <div className="row">
        <label>
          Size{' '}
          <select value={size} onChange={(e) => setSize(Number(e.target.value))} disabled={running}>
            {[64, 128, 256, 512, 1024].map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Rounds{' '}
          <input
            type="number"
            min={1}
            max={100000}
            value={rounds}
            onChange={(e) => setRounds(Math.max(1, Math.min(100000, Number(e.target.value) || 1)))}
            disabled={running}
            data-testid="throughput-rounds"
          />
        </label>
        {running ? (
          <button type="button" onClick={cancelThroughput} data-testid="throughput-cancel">
            Cancel
          </button>
        ) : (
          <button
            type="button"
            onClick={() => runThroughput(size, rounds)}
            disabled={status !== 'ready'}
            data-testid="throughput-run"
          >
            Run
          </button>
        )}
      </div>
      {running && (
        <div>
          <progress
            max={progress?.total ?? 1}
            value={progress?.done ?? 0}
            aria-label="throughput progress"
            data-testid="throughput-progress"
            data-done={progress?.done ?? 0}
          />
          {progress?.detail?.gflops !== undefined && <span> {Number(progress.detail.gflops).toFixed(2)} GFLOP/s</span>}
        </div>
      )}
      {throughput.state === 'done' && (
        <p data-testid="throughput-result">
          {throughput.result.rounds} rounds of {throughput.result.size}² on {throughput.result.backend}:{' '}
          {throughput.result.gflops.toFixed(2)} GFLOP/s ({throughput.result.seconds.toFixed(2)} s)
        </p>
      )}
      {throughput.state === 'cancelled' && <p data-testid="throughput-cancelled">Cancelled.</p>}
      {throughput.state === 'failed' && (
        <p className="error" role="alert" data-testid="throughput-error">
          {throughput.error}
        </p>
      )}
    </section>
  );
}

function EventLog() {
  const events = useSystem((s) => s.events);
  if (events.length === 0) return null;
  return (
    <section className="card" aria-labelledby="events-title">
      <h2 id="events-title">Backend log</h2>
      <ul data-testid="events">
        {events.map((e, i) => (
          <li key={i}>{e}</li>
        ))}
      </ul>
    </section>
  );
}
