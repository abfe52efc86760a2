/** Bring data: a GLUE-style TSV for the train split and one for dev, with their label distributions. */
import { FileDrop } from '../shared/FileDrop';
import { bundledFile } from '../../state/bundled';

const BUNDLED = [
  ['glue/sst2-train-512.tsv', 'SST-2 train (first 512)'],
  ['glue/sst2-dev.tsv', 'SST-2 dev (872)'],
  ['glue/mrpc-train-512.tsv', 'MRPC train (first 512)'],
  ['glue/mrpc-dev.tsv', 'MRPC dev (408)'],
] as const;
import { useLandscape } from '../../state/landscape';

export function DataPanel() {
  const { data, addData, settings, setSettings } = useLandscape();
  return (
    <section className="card" aria-labelledby="data-title" data-testid="data">
      <h2 id="data-title">Examples</h2>
      {(['train', 'dev'] as const).map((split) => {
        const entry = data.find((d) => d.split === split);
        return (
          <div key={split} className="data-split">
            <FileDrop
              label={`${split} split (GLUE TSV)`}
              accept=".tsv,.txt"
              multiple={false}
              testId={`data-${split}`}
              onFiles={(files) => files[0] && void addData(files[0].file, split)}
            >
              <label>
                or a bundled set{' '}
                <select
                  value=""
                  onChange={(e) =>
                    e.target.value && void bundledFile(`data/${e.target.value}`).then((f) => addData(f, split))
                  }
                  data-testid={`data-${split}-bundled`}
                >
                  <option value="">choose…</option>
                  {BUNDLED.map(([path, label]) => (
                    <option key={path} value={path}>
                      {label}
                    </option>
                  ))}
                </select>
              </label>
            </FileDrop>
            {entry?.status === 'error' && (
              <p className="error" role="alert">
                {entry.error}
              </p>
            )}
            {entry?.summary && (
              <p className="hint" data-testid={`data-${split}-summary`}>
                {entry.summary.name}: {entry.summary.task}, {entry.summary.rows} rows; labels{' '}
                {entry.summary.labels
                  .map(([l, n]) => `${l} ${((100 * n) / entry.summary!.rows).toFixed(0)}%`)
                  .join(', ')}
              </p>
            )}
          </div>
        );
      })}
      <div className="row">
        <label>
          Examples{' '}
          <input
            type="number"
            min={1}
            max={100000}
            value={settings.maxExamples}
            onChange={(e) => setSettings({ maxExamples: Math.max(1, Number(e.target.value) || 1) })}
            data-testid="max-examples"
          />
        </label>
        <label>
          Max length{' '}
          <input
            type="number"
            min={8}
            max={512}
            value={settings.maxLength}
            onChange={(e) => setSettings({ maxLength: Math.max(8, Number(e.target.value) || 8) })}
          />
        </label>
        <label>
          Batch{' '}
          <input
            type="number"
            min={1}
            max={512}
            value={settings.batchSize}
            onChange={(e) => setSettings({ batchSize: Math.max(1, Number(e.target.value) || 1) })}
          />
        </label>
      </div>
      <p className="hint">
        Max length is a ceiling (clamped to the model's position embeddings). Every point is the mean cross-entropy (MSE
        for regression) and accuracy over the first N examples of each split, in eval mode.
      </p>
    </section>
  );
}
