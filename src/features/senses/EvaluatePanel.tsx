/**
 * Evaluation: one click scores the model on the bundled word-similarity sets (Spearman of −JS with
 * the human scores) and the LEDS entailment set (average precision and best F1 of −KL, both
 * directions); and the word-intrusion test of the paper, answered by the user, exported as CSV.
 */
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useSenses } from '../../state/senses';
import { downloadText } from '../shared/download';

const f3 = (v: number | null) => (v === null ? '—' : v.toFixed(3));

export function EvaluatePanel() {
  const { modelStatus, evaluation, evaluate } = useSenses(
    useShallow((s) => ({ modelStatus: s.modelStatus, evaluation: s.evaluation, evaluate: s.evaluate })),
  );
  if (modelStatus !== 'ready') return null;
  const result = evaluation.state === 'done' ? evaluation.result : undefined;
  const state = evaluation.state;
  const csv = () =>
    result
      ? [
          'task,file,direction,pairs,covered,spearman,spearman_covered,ap,f1',
          ...result.similarity.map(
            (r) => `similarity,${r.file},,${r.pairs},${r.covered},${r.spearman ?? ''},${r.spearman_covered ?? ''},,`,
          ),
          ...result.entailment.map(
            (r) => `entailment,${r.file},${r.direction},${r.pairs},${r.covered},,,${r.ap ?? ''},${r.f1 ?? ''}`,
          ),
        ].join('\n') + '\n'
      : '';
  return (
    <section className="card wide" aria-labelledby="eval-title" data-testid="evaluate">
      <h2 id="eval-title">Evaluate</h2>
      <div className="row">
        <button type="button" onClick={evaluate} disabled={state === 'running'} data-testid="run-eval">
          {state === 'running' ? 'Scoring…' : 'Score on the bundled sets'}
        </button>
        {result && (
          <button type="button" onClick={() => downloadText(csv(), 'evaluation.csv', 'text/csv')}>
            CSV
          </button>
        )}
      </div>
      {state === 'failed' && (
        <p className="error" role="alert">
          {evaluation.error}
        </p>
      )}
      {result && (
        <table className="values" data-testid="eval-table">
          <caption>
            Similarity: Spearman ρ between human scores and −JS (OOV words get the uniform vector; “covered” = both
            words known)
          </caption>
          <thead>
            <tr>
              <th scope="col">set</th>
              <th scope="col">pairs</th>
              <th scope="col">covered</th>
              <th scope="col">ρ (all)</th>
              <th scope="col">ρ (covered)</th>
            </tr>
          </thead>
          <tbody>
            {result.similarity.map((r) => (
              <tr key={r.file}>
                <th scope="row">{r.file.replace(/^EN-|\.txt$/g, '')}</th>
                <td>{r.pairs}</td>
                <td>{((100 * r.covered) / r.pairs).toFixed(0)}%</td>
                <td>{f3(r.spearman)}</td>
                <td>{f3(r.spearman_covered)}</td>
              </tr>
            ))}
            {result.entailment.map((r) => (
              <tr key={`${r.file}-${r.direction}`}>
                <th scope="row">
                  {r.file.replace(/\.tsv$/, '')} {r.direction}
                </th>
                <td>{r.pairs}</td>
                <td>{((100 * r.covered) / r.pairs).toFixed(0)}%</td>
                <td colSpan={2}>
                  AP {f3(r.ap)}, best F1 {f3(r.f1)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Intrusion />
    </section>
  );
}

function Intrusion() {
  const { questions, startIntrusion } = useSenses(
    useShallow((s) => ({ questions: s.intrusion, startIntrusion: s.startIntrusion })),
  );
  const [answers, setAnswers] = useState<Record<number, string>>({});
  const answered = Object.keys(answers).length;
  const correct = questions.filter((q, i) => answers[i] === q.intruder).length;
  const start = async () => {
    setAnswers({});
    await startIntrusion();
  };
  return (
    <div className="intrusion" data-testid="intrusion">
      <h3>Word intrusion</h3>
      <p className="hint">
        Each row shows a sense’s 4 most probable words and one intruder (from the bottom half of this sense and the top
        10% of another). Pick the intruder; precision measures how interpretable the senses are.
      </p>
      <button type="button" onClick={() => void start()} data-testid="intrusion-start">
        {questions.length ? 'New questions' : 'Start'}
      </button>
      <ol>
        {questions.map((q, i) => (
          <li key={`${q.sense}-${i}`}>
            <fieldset>
              <legend className="visually-hidden">question {i + 1}</legend>
              {q.words.map((w) => (
                <label
                  key={w}
                  className={
                    answers[i] !== undefined ? (w === q.intruder ? 'ok' : answers[i] === w ? 'error' : '') : ''
                  }
                >
                  <input
                    type="radio"
                    name={`intrusion-${i}`}
                    value={w}
                    disabled={answers[i] !== undefined}
                    checked={answers[i] === w}
                    onChange={() => setAnswers({ ...answers, [i]: w })}
                  />{' '}
                  {w}{' '}
                </label>
              ))}
            </fieldset>
          </li>
        ))}
      </ol>
      {questions.length > 0 && (
        <p data-testid="intrusion-score">
          {answered} of {questions.length} answered; precision{' '}
          {answered ? ((100 * correct) / answered).toFixed(0) : '—'}%{' '}
          <button
            type="button"
            disabled={answered === 0}
            onClick={() =>
              downloadText(
                [
                  'question,sense,words,intruder,answer,correct',
                  ...questions.map(
                    (q, i) =>
                      `${i + 1},${q.sense},"${q.words.join(' ')}",${q.intruder},${answers[i] ?? ''},${answers[i] === undefined ? '' : answers[i] === q.intruder ? 1 : 0}`,
                  ),
                ].join('\n') + '\n',
                'word-intrusion.csv',
                'text/csv',
              )
            }
          >
            Export answers (CSV)
          </button>
        </p>
      )}
    </div>
  );
}
