/** A button that loads a bundled demo, showing progress and any error in one line. */
import { useState } from 'react';

export function DemoButton({
  label,
  load,
  testId,
  hint,
}: {
  label: string;
  load: () => Promise<unknown>;
  testId: string;
  hint: string;
}) {
  const [state, setState] = useState<'idle' | 'loading' | 'done' | 'error'>('idle');
  const [error, setError] = useState('');
  return (
    <div className="demo-button" data-testid={testId} data-state={state}>
      <button
        type="button"
        disabled={state === 'loading'}
        onClick={() => {
          setState('loading');
          load().then(
            () => setState('done'),
            (err: unknown) => {
              setError(err instanceof Error ? err.message : String(err));
              setState('error');
            },
          );
        }}
      >
        {state === 'loading' ? 'Loading the demo…' : label}
      </button>{' '}
      <span className="hint">{hint}</span>
      {state === 'error' && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
