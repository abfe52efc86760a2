/**
 * The sense explorer: load a Word2Sense model (dropped `.safetensors`, kept in IndexedDB), search a
 * word, see its senses, clouds and neighbours, open a sense, and the map of all senses. The explored
 * word, sense and λ live in the URL hash (`#view=senses&word=bank&sense=12&lambda=0.6`).
 */
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useSenses } from '../../state/senses';
import { formatHash, param, parseHash } from '../../state/urlState';
import { loadSensesDemo } from '../../state/demo';
import { DemoButton } from '../shared/DemoButton';
import { FileDrop } from '../shared/FileDrop';
import { SenseMap } from './SenseMap';
import { SenseView } from './SenseView';
import { TrainPanel } from './TrainPanel';
import { EvaluatePanel } from './EvaluatePanel';
import { InContextPanel } from './InContextPanel';
import { WordView } from './WordView';

const TABLE = {
  view: param.oneOf(['senses', 'landscapes', 'system'] as const, 'senses'),
  word: param.string('', 100),
  sense: param.int(-1, -1, 1_000_000),
  lambda: param.number(0.6, 0, 1),
};

export function SensesScreen() {
  // Select only what this screen shows: training progress (10 Hz) must not re-render the whole screen.
  const s = useSenses(
    useShallow((st) => ({
      model: st.model,
      modelStatus: st.modelStatus,
      modelError: st.modelError,
      word: st.word,
      sense: st.sense,
      lambda: st.lambda,
      suggestions: st.suggestions,
      error: st.error,
      openModel: st.openModel,
      suggest: st.suggest,
      exploreWord: st.exploreWord,
      setLambda: st.setLambda,
    })),
  );
  const [query, setQuery] = useState(() => parseHash(TABLE, location.hash).word);

  // Restore: the URL's word/sense/λ, then the model kept in IndexedDB.
  useEffect(() => {
    const h = parseHash(TABLE, location.hash);
    useSenses.setState({ word: h.word, sense: h.sense, lambda: h.lambda });
    void useSenses.getState().restoreModel();
  }, []);

  // Mirror the explored state into the hash (replaceState: no history spam while typing).
  useEffect(() => {
    const hash = formatHash(TABLE, { view: 'senses', word: s.word, sense: s.sense, lambda: s.lambda });
    history.replaceState(null, '', `#${hash}`);
  }, [s.word, s.sense, s.lambda]);

  // Keep the sense within the loaded model (clamping a hand-edited link).
  useEffect(() => {
    if (s.model && s.sense >= s.model.Kmerged) useSenses.getState().exploreSense(s.model.Kmerged - 1);
  }, [s.model, s.sense]);

  return (
    <div className="senses">
      <section className="card" aria-labelledby="model-title" data-testid="model-panel" data-status={s.modelStatus}>
        <h2 id="model-title">Word2Sense model</h2>
        <FileDrop
          label="Drop a Word2Sense model (.safetensors)"
          accept=".safetensors"
          multiple={false}
          testId="model-drop"
          onFiles={(files) => files[0] && void s.openModel(files[0].file, files[0].file.name)}
        />
        <DemoButton
          label="Open the demo model"
          testId="senses-demo"
          load={() => loadSensesDemo()}
          hint="Word2Sense trained on six public corpora (11M words, K = 100 senses, 10,000 words); made by tools/demo (README)."
        />
        {s.modelStatus === 'loading' && <p>Reading and validating…</p>}
        {s.modelStatus === 'error' && (
          <p className="error" role="alert" data-testid="model-error">
            {s.modelError}
          </p>
        )}
        {s.model && (
          <p className="hint" data-testid="model-summary">
            {s.model.name}: {s.model.V.toLocaleString()} words, {s.model.K} senses merged into {s.model.Kmerged},{' '}
            {(s.model.nnz / s.model.V).toFixed(1)} active senses per word on average.
          </p>
        )}
      </section>
      <TrainPanel />
      {s.modelStatus === 'ready' && (
        <section className="card" aria-labelledby="explore-title">
          <h2 id="explore-title">Explore</h2>
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              useSenses.setState({ sense: -1 });
              s.exploreWord(query.trim().toLowerCase());
            }}
          >
            <label>
              Word{' '}
              <input
                list="vocab-suggestions"
                value={query}
                autoComplete="off"
                onChange={(e) => {
                  setQuery(e.target.value);
                  s.suggest(e.target.value);
                }}
                data-testid="word-search"
                aria-describedby="search-hint"
              />
            </label>
            <datalist id="vocab-suggestions">
              {s.suggestions.map((w) => (
                <option key={w} value={w} />
              ))}
            </datalist>
            <button type="submit" data-testid="word-go">
              Explore
            </button>
            <label title="LDAvis relevance: λ·log β + (1−λ)·log(β/p(w)); 1 ranks by probability, lower values favour words specific to the sense">
              Relevance λ{' '}
              <input
                type="range"
                min={0}
                max={1}
                step={0.05}
                value={s.lambda}
                onChange={(e) => s.setLambda(Number(e.target.value))}
                data-testid="lambda"
              />{' '}
              {s.lambda.toFixed(2)}
            </label>
          </form>
          <p id="search-hint" className="hint">
            Each sense is a distribution over words; a word’s embedding is a sparse mixture of senses. Click any word to
            explore it.
          </p>
          {s.error && (
            <p className="error" role="alert">
              {s.error}
            </p>
          )}
        </section>
      )}
      <WordView />
      <SenseView />
      <InContextPanel />
      {s.modelStatus === 'ready' && <SenseMap />}
      <EvaluatePanel />
    </div>
  );
}
