/**
 * Senses in context (WordCtx2Sense): paste a sentence, click a word, and see which senses the context
 * selects (ψ, summed within merged senses) beside the word's context-free weights (ψ⁰), as diverging
 * bars of the change, with each selected sense's cloud. Pin a result to compare another context.
 */
import { useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useSenses } from '../../state/senses';
import type { ContextAnswer } from '../../workers/contracts/senses';
import { renderBarsSvg } from '../../viz/barsSvg';
import { ExportBar } from '../shared/ExportBar';
import { SenseCloud } from './SenseCloud';

function ContextResult({ answer, lambda, onWord }: { answer: ContextAnswer; lambda: number; onWord(w: string): void }) {
  const svg = useMemo(
    () =>
      renderBarsSvg({
        title: `“${answer.word}” in context: contextual − context-free weight`,
        valueLabel: 'change in sense weight (ψ − ψ⁰, merged senses)',
        diverging: true,
        bars: answer.senses.map((s) => ({ label: s.label, value: s.contextual - s.contextFree, colorIndex: s.sense })),
        metadata: {
          sentence: answer.tokens.join(' '),
          position: answer.position,
          senses: answer.senses.map((s) => ({ sense: s.sense, contextual: s.contextual, contextFree: s.contextFree })),
        },
      }).svg,
    [answer],
  );
  return (
    <div className="context-result" data-testid="context-result" data-word={answer.word}>
      <p className="hint">
        {answer.tokens.map((t, i) => (i === answer.position ? <strong key={i}>{t} </strong> : `${t} `))}—{' '}
        {answer.contextWords} context words used
        {answer.converged ? '' : '; the optimisation did not converge, so these are the context-free weights'}
        {answer.oov ? '; the word is not in the vocabulary' : ''}.
      </p>
      <table className="values">
        <thead>
          <tr>
            <th scope="col">sense</th>
            <th scope="col">in context ψ</th>
            <th scope="col">context-free ψ⁰</th>
          </tr>
        </thead>
        <tbody>
          {answer.senses.map((s) => (
            <tr key={s.sense}>
              <th scope="row">{s.label}</th>
              <td>{s.contextual.toFixed(3)}</td>
              <td>{s.contextFree.toFixed(3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="figure" dangerouslySetInnerHTML={{ __html: svg }} />
      <ExportBar svg={svg} baseName={`context-${answer.word}`} data={[]} />
      <div className="clouds">
        {answer.senses.slice(0, 3).map((s) => (
          <SenseCloud key={s.sense} card={s} lambda={lambda} onWord={onWord} />
        ))}
      </div>
    </div>
  );
}

export function InContextPanel() {
  const { modelStatus, lambda, exploreWord, context, inferContext } = useSenses(
    useShallow((s) => ({
      modelStatus: s.modelStatus,
      lambda: s.lambda,
      exploreWord: s.exploreWord,
      context: s.context,
      inferContext: s.inferContext,
    })),
  );
  const [text, setText] = useState('He sat on the bank of the river and watched the water.');
  const [pinned, setPinned] = useState<ContextAnswer | null>(null);
  const tokens = useMemo(() => text.split(/\s+/).filter(Boolean), [text]);
  if (modelStatus !== 'ready') return null;
  const answer = context.result ?? null;
  const error = context.state === 'failed' ? (context.error ?? '') : '';
  return (
    <section className="card wide" aria-labelledby="context-title" data-testid="in-context">
      <h2 id="context-title">In context</h2>
      <label>
        Sentence{' '}
        <textarea
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={2}
          cols={80}
          data-testid="context-text"
        />
      </label>
      <p className="hint">
        Click a word to infer its senses in this context (WordCtx2Sense: multiplicative weights from ψ⁰ toward the
        context’s words, KL-regularised, λ = 0.01).
      </p>
      <div className="row tokens">
        {tokens.map((t, i) => (
          <button
            key={`${t}-${i}`}
            type="button"
            className="chip"
            onClick={() => inferContext(text, i)}
            data-testid={`token-${i}`}
          >
            {t}
          </button>
        ))}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {answer && (
        <button type="button" onClick={() => setPinned(answer)}>
          Pin to compare with another context
        </button>
      )}
      <div className="row split">
        {answer && <ContextResult answer={answer} lambda={lambda} onWord={exploreWord} />}
        {pinned && pinned !== answer && <ContextResult answer={pinned} lambda={lambda} onWord={exploreWord} />}
      </div>
    </section>
  );
}
