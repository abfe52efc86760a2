/**
 * Train Word2Sense in the browser: drop corpus files (.txt/.txt.gz, one sentence or paragraph per
 * line) or a counts file, set the hyperparameters (each with its meaning in the paper), and follow
 * the run: stage, iteration, perplexity chart, throughput, ETA; cancel at any stage.
 */
import { useState } from 'react';
import type { TrainOptions } from '../../engine/word2sense/train';
import { useShallow } from 'zustand/react/shallow';
import { useSenses } from '../../state/senses';
import { FileDrop } from '../shared/FileDrop';
import { downloadBlob } from '../shared/download';
import { bundledFile } from '../../state/bundled';

const STAGES: Record<string, string> = {
  'count words': 'reading (word frequencies)',
  'count pairs': 'counting co-occurrences',
  'read counts': 'reading counts',
  lda: 'training (LDA)',
  merging: 'merging senses',
  embedding: 'embedding',
};

interface Field {
  key: keyof TrainOptions;
  label: string;
  meaning: string;
  step?: number;
  min?: number;
}

const FIELDS: Field[] = [
  {
    key: 'senses',
    label: 'Senses K',
    meaning: 'LDA topics over co-occurrence rows; each becomes a sense (paper: 3000)',
    min: 2,
  },
  {
    key: 'merged',
    label: "Merged K'",
    meaning: 'senses left after merging close ones by √JS average linkage (default 0.75 K)',
    min: 1,
  },
  { key: 'nnz', label: 'Active µ', meaning: 'non-zero senses kept per word (paper: 75)', min: 1 },
  {
    key: 'iters',
    label: 'Iterations',
    meaning: 'variational Bayes passes over all rows (online updates from a random start, as gensim)',
    min: 1,
  },
  {
    key: 'updateGroups',
    label: 'Update groups',
    meaning:
      'online VB: senses re-estimated after each of this many groups of rows per pass (empty: one group per 2,000 rows)',
    min: 1,
  },
  {
    key: 'alpha',
    label: 'α (total)',
    meaning: 'word–sense Dirichlet prior, α/K per sense: small = few senses per word',
    step: 0.01,
  },
  { key: 'gamma', label: 'γ', meaning: 'sense–word Dirichlet prior: small = peaked senses', step: 0.0001 },
  { key: 'window', label: 'Window', meaning: 'symmetric context window in tokens', min: 1 },
  { key: 'minCount', label: 'Min count', meaning: 'words rarer than this are dropped from the vocabulary', min: 1 },
  { key: 'maxVocab', label: 'Max vocabulary', meaning: 'keep at most this many most frequent words', min: 1 },
  {
    key: 'subsample',
    label: 'Subsample t',
    meaning: 'word2vec subsampling of frequent words (dropped tokens keep their slot)',
    step: 0.00001,
  },
  { key: 'seed', label: 'Seed', meaning: 'subsampling and initialisation are reproducible per seed' },
];

/** Settings chosen from a list; the first option is the default. */
const CHOICES: { key: 'update' | 'engine'; label: string; meaning: string; options: [string, string][] }[] = [
  {
    key: 'update',
    label: 'Updates',
    meaning:
      'when the senses are re-estimated: after each group with a decaying step (gensim), from every group, or once per pass',
    options: [
      ['online', 'online (default)'],
      ['incremental', 'incremental'],
      ['batch', 'batch'],
    ],
  },
  {
    key: 'engine',
    label: 'Engine',
    meaning:
      'auto picks by density and device: per row on the CPU (WebAssembly SIMD), row blocks at the non-zeros on the GPU (WGSL), or dense blocks',
    options: [
      ['auto', 'auto (default)'],
      ['sparse', 'sparse, CPU'],
      ['csr', 'sparse blocks, GPU'],
      ['dense', 'dense blocks'],
    ],
  },
];

const DEFAULTS: TrainOptions = {
  senses: 40,
  merged: 30,
  nnz: 20,
  iters: 10,
  alpha: 0.1,
  gamma: 0.001,
  window: 5,
  minCount: 3,
  maxVocab: 5000,
  subsample: 1e-5,
  seed: 1,
};

function PerplexityChart({ history }: { history: { iter: number; perplexity: number }[] }) {
  if (history.length < 1) return null;
  const w = 260;
  const h = 80;
  const ps = history.map((r) => r.perplexity);
  const lo = Math.min(...ps);
  const hi = Math.max(...ps);
  const x = (i: number) => 6 + (history.length === 1 ? 0 : (i / (history.length - 1)) * (w - 12));
  const y = (p: number) => 6 + (hi === lo ? (h - 12) / 2 : ((hi - p) / (hi - lo)) * (h - 12));
  return (
    <svg
      width={w}
      height={h}
      role="img"
      aria-label={`perplexity by iteration: ${ps.map((p) => p.toFixed(0)).join(', ')}`}
      className="spark"
      data-testid="perplexity-chart"
    >
      <polyline
        fill="none"
        stroke="currentColor"
        strokeWidth={1.5}
        points={history.map((r, i) => `${x(i)},${y(r.perplexity)}`).join(' ')}
      />
      {history.map((r, i) => (
        <circle key={r.iter} cx={x(i)} cy={y(r.perplexity)} r={2} fill="currentColor">
          <title>
            iteration {r.iter}: perplexity {r.perplexity.toFixed(1)}
          </title>
        </circle>
      ))}
    </svg>
  );
}

export function TrainPanel() {
  const { train, training, cancelTraining, modelFile, model } = useSenses(
    useShallow((s) => ({
      train: s.train,
      training: s.training,
      cancelTraining: s.cancelTraining,
      modelFile: s.modelFile,
      model: s.model,
    })),
  );
  const [files, setFiles] = useState<File[]>([]);
  const [kind, setKind] = useState<'corpus' | 'counts'>('corpus');
  const [opts, setOpts] = useState<TrainOptions>(DEFAULTS);
  const p = training.progress;
  const elapsed = training.startedAt ? (Date.now() - training.startedAt) / 1000 : 0;
  const lastIter = p?.history[p.history.length - 1];
  const perIter = lastIter && lastIter.iter > 0 ? lastIter.seconds / lastIter.iter : undefined;
  // the LDA stage reports rows done of iters × D with its own ETA (engine ProgressMeter)
  const eta =
    p?.stage !== 'lda'
      ? undefined
      : p.etaSeconds !== undefined && Number.isFinite(p.etaSeconds)
        ? p.etaSeconds
        : perIter
          ? Math.max(0, ((opts.iters ?? 30) - p.done) * perIter)
          : undefined;
  return (
    <section className="card" aria-labelledby="train-title" data-testid="train-panel" data-state={training.state}>
      <h2 id="train-title">Train on your corpus</h2>
      <FileDrop
        label="Drop corpus files (.txt or .txt.gz, one sentence or paragraph per line) — or a counts file"
        accept=".txt,.gz,.tsv"
        testId="corpus-drop"
        onFiles={(picked) => setFiles(picked.map((f) => f.file))}
      />
      <button
        type="button"
        onClick={() => void bundledFile('data/corpora/moby-dick.txt.gz').then((f) => setFiles([f]))}
        data-testid="demo-corpus"
      >
        Use the bundled demo corpus (Moby-Dick, 212k words)
      </button>
      {files.length > 0 && (
        <p className="hint" data-testid="corpus-stats">
          {files.length} file{files.length > 1 ? 's' : ''}:{' '}
          {files.map((f) => `${f.name} (${(f.size / 1024).toFixed(0)} KB)`).join(', ')}
          {p?.counts &&
            ` — ${p.counts.tokens.toLocaleString()} tokens, vocabulary ${p.counts.V.toLocaleString()}, ${p.counts.nnz.toLocaleString()} non-zero co-occurrences`}
        </p>
      )}
      <div className="row">
        <label>
          <input type="radio" name="kind" checked={kind === 'corpus'} onChange={() => setKind('corpus')} /> text corpus
        </label>
        <label>
          <input type="radio" name="kind" checked={kind === 'counts'} onChange={() => setKind('counts')} /> counts file
          (word, context, count)
        </label>
      </div>
      <details>
        <summary>Hyperparameters</summary>
        <table className="params">
          <tbody>
            {FIELDS.map((f) => (
              <tr key={f.key}>
                <th scope="row">
                  <label htmlFor={`hp-${f.key}`}>{f.label}</label>
                </th>
                <td>
                  <input
                    id={`hp-${f.key}`}
                    type="number"
                    step={f.step ?? 1}
                    min={f.min}
                    value={opts[f.key] ?? ''}
                    onChange={(e) =>
                      setOpts({ ...opts, [f.key]: e.target.value === '' ? undefined : Number(e.target.value) })
                    }
                    data-testid={`hp-${f.key}`}
                  />
                </td>
                <td className="hint">{f.meaning}</td>
              </tr>
            ))}
            {CHOICES.map((c) => (
              <tr key={c.key}>
                <th scope="row">
                  <label htmlFor={`hp-${c.key}`}>{c.label}</label>
                </th>
                <td>
                  <select
                    id={`hp-${c.key}`}
                    value={opts[c.key] ?? c.options[0][0]}
                    onChange={(e) => setOpts({ ...opts, [c.key]: e.target.value })}
                    data-testid={`hp-${c.key}`}
                  >
                    {c.options.map(([value, text]) => (
                      <option key={value} value={value}>
                        {text}
                      </option>
                    ))}
                  </select>
                </td>
                <td className="hint">{c.meaning}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      <div className="row">
        {training.state === 'running' ? (
          <button type="button" onClick={cancelTraining} data-testid="train-cancel">
            Cancel
          </button>
        ) : (
          <button
            type="button"
            disabled={files.length === 0}
            onClick={() => train(files, opts, kind)}
            data-testid="train-start"
          >
            Train
          </button>
        )}
        {model && (
          <button
            type="button"
            onClick={() =>
              void modelFile().then(
                (blob) =>
                  blob &&
                  downloadBlob(blob, model.name.endsWith('.safetensors') ? model.name : `${model.name}.safetensors`),
              )
            }
            data-testid="model-download"
          >
            Download model (.safetensors)
          </button>
        )}
      </div>
      {training.state === 'running' && (
        <div aria-live="polite" data-testid="train-progress" data-stage={p?.stage ?? ''}>
          <p>
            <strong>{STAGES[p?.stage ?? ''] ?? p?.stage ?? 'starting'}</strong>
            {p?.stage === 'lda' &&
              (p.detail?.iteration !== undefined
                ? ` — iteration ${p.detail.iteration}, ${p.done} of ${p.total} rows`
                : ` — iteration ${Math.ceil(p.done)} of ${p.total}`)}
            {p?.stage === 'count pairs' && p.total > 0 && ` — ${((100 * p.done) / p.total).toFixed(0)}%`}
            {` · ${elapsed.toFixed(0)} s`}
            {perIter && ` · ${(1 / perIter).toFixed(2)} iterations/s`}
            {eta !== undefined && ` · ETA ${eta.toFixed(0)} s`}
          </p>
          <progress max={p?.total || 1} value={p?.total ? p.done : 0} aria-label="stage progress" />
        </div>
      )}
      {p && p.history.length > 0 && (
        <div>
          <PerplexityChart history={p.history} />
          <span className="hint">
            perplexity {p.history[p.history.length - 1].perplexity.toFixed(1)} = exp(−Σ C·log Σ θβ / Σ C)
          </span>
        </div>
      )}
      {training.state === 'done' && training.result && (
        <p
          className="ok"
          data-testid="train-done"
          data-engine={training.result.engine}
          data-perplexity={training.result.perplexity}
        >
          Trained: {training.result.iterations} iterations, perplexity {training.result.perplexity.toFixed(1)},{' '}
          {training.result.seconds.toFixed(1)} s on the {training.result.engine} engine. The model is kept in this
          browser and explored below.
        </p>
      )}
      {training.state === 'cancelled' && <p data-testid="train-cancelled">Cancelled.</p>}
      {training.state === 'failed' && (
        <p className="error" role="alert" data-testid="train-error">
          {training.error}
        </p>
      )}
    </section>
  );
}
