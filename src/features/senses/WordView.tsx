/** A word's active senses as weighted bars and clouds, its nearest neighbours, and a side-by-side comparison. */
import { useMemo, useState } from 'react';
import { renderBarsSvg } from '../../viz/barsSvg';
import { useShallow } from 'zustand/react/shallow';
import { useSenses } from '../../state/senses';
import { ExportBar } from '../shared/ExportBar';
import { SenseCloud } from './SenseCloud';

export function WordView() {
  const { wordSenses, compareSenses, neighbours, lambda, exploreWord, exploreSense, compare } = useSenses(
    useShallow((s) => ({
      wordSenses: s.wordSenses,
      compareSenses: s.compareSenses,
      neighbours: s.neighbours,
      lambda: s.lambda,
      exploreWord: s.exploreWord,
      exploreSense: s.exploreSense,
      compare: s.compare,
    })),
  );
  const [compareText, setCompareText] = useState('');
  const shared = useMemo(() => new Set(compareSenses?.senses.map((s) => s.sense) ?? []), [compareSenses]);
  const bars = useMemo(() => {
    if (!wordSenses || wordSenses.oov) return null;
    return renderBarsSvg({
      title: `Senses of “${wordSenses.word}”`,
      valueLabel: 'weight in the sparse embedding',
      bars: wordSenses.senses.map((s) => ({
        label: s.label,
        value: s.weight,
        colorIndex: s.sense,
        highlight: shared.has(s.sense),
      })),
      metadata: { word: wordSenses.word, senses: wordSenses.senses.map((s) => ({ sense: s.sense, weight: s.weight })) },
    }).svg;
  }, [wordSenses, shared]);
  if (!wordSenses) return null;
  if (wordSenses.oov)
    return (
      <p className="error" role="alert" data-testid="oov">
        “{wordSenses.word}” is not in the model’s vocabulary (its embedding is the uniform vector).
      </p>
    );
  return (
    <section className="card wide" aria-labelledby="word-title" data-testid="word-view" data-word={wordSenses.word}>
      <h2 id="word-title">“{wordSenses.word}”</h2>
      <div className="row split">
        <div>
          <div className="figure" data-testid="word-bars" dangerouslySetInnerHTML={{ __html: bars ?? '' }} />
          <ExportBar
            svg={bars}
            baseName={`${wordSenses.word}-senses`}
            data={[
              {
                label: 'CSV',
                fileName: `${wordSenses.word}-senses.csv`,
                type: 'text/csv',
                text: () =>
                  ['sense,label,weight', ...wordSenses.senses.map((s) => `${s.sense},"${s.label}",${s.weight}`)].join(
                    '\n',
                  ) + '\n',
              },
            ]}
          />
        </div>
        <div>
          <h3>Nearest words (JS divergence)</h3>
          {neighbours && neighbours.word === wordSenses.word ? (
            <ol className="neighbours" data-testid="neighbours">
              {neighbours.neighbours.map((n) => (
                <li key={n.word}>
                  <button type="button" className="link" onClick={() => exploreWord(n.word)}>
                    {n.word}
                  </button>{' '}
                  <span className="hint">{n.js.toFixed(4)}</span>
                </li>
              ))}
            </ol>
          ) : (
            <p className="hint">computing…</p>
          )}
          {neighbours && <p className="hint">{neighbours.ms.toFixed(0)} ms over the whole vocabulary</p>}
        </div>
      </div>
      <div className="clouds">
        {wordSenses.senses.slice(0, 4).map((card, k) => (
          <SenseCloud
            key={card.sense}
            card={card}
            lambda={lambda}
            onWord={exploreWord}
            onSense={exploreSense}
            testId={k === 0 ? 'cloud-top' : undefined}
          />
        ))}
      </div>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          compare(compareText.trim().toLowerCase());
        }}
      >
        <label>
          Compare with{' '}
          <input
            value={compareText}
            onChange={(e) => setCompareText(e.target.value)}
            placeholder="another word"
            data-testid="compare-input"
          />
        </label>
        <button type="submit">Compare</button>
      </form>
      {compareSenses && !compareSenses.oov && (
        <div className="compare" data-testid="compare-view">
          <h3>
            “{wordSenses.word}” and “{compareSenses.word}”:{' '}
            {[...shared].filter((s) => wordSenses.senses.some((x) => x.sense === s)).length} shared senses (outlined)
          </h3>
          <div
            className="figure"
            dangerouslySetInnerHTML={{
              __html: renderBarsSvg({
                title: `Senses of “${compareSenses.word}”`,
                valueLabel: 'weight',
                bars: compareSenses.senses.map((s) => ({
                  label: s.label,
                  value: s.weight,
                  colorIndex: s.sense,
                  highlight: wordSenses.senses.some((x) => x.sense === s.sense),
                })),
              }).svg,
            }}
          />
        </div>
      )}
    </section>
  );
}
