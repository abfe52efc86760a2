/** One sense: its cloud, top words, the words that use it most, and the raw senses merged into it. */
import { useShallow } from 'zustand/react/shallow';
import { useSenses } from '../../state/senses';
import { SenseCloud } from './SenseCloud';

export function SenseView() {
  const { senseDetail, lambda, exploreWord } = useSenses(
    useShallow((s) => ({ senseDetail: s.senseDetail, lambda: s.lambda, exploreWord: s.exploreWord })),
  );
  if (!senseDetail) return null;
  return (
    <section
      className="card wide"
      aria-labelledby="sense-title"
      data-testid="sense-view"
      data-sense={senseDetail.sense}
    >
      <h2 id="sense-title">Sense {senseDetail.label}</h2>
      <SenseCloud card={senseDetail} lambda={lambda} onWord={exploreWord} testId="sense-cloud" />
      <div className="row split">
        <div>
          <h3>Top words</h3>
          <ol className="words">
            {senseDetail.words.slice(0, 20).map((w) => (
              <li key={w.word}>
                <button type="button" className="link" onClick={() => exploreWord(w.word)}>
                  {w.word}
                </button>{' '}
                <span className="hint">{w.p.toFixed(4)}</span>
              </li>
            ))}
          </ol>
        </div>
        <div>
          <h3>Words using it most</h3>
          <ol className="words" data-testid="sense-users">
            {senseDetail.users.map((u) => (
              <li key={u.word}>
                <button type="button" className="link" onClick={() => exploreWord(u.word)}>
                  {u.word}
                </button>{' '}
                <span className="hint">{u.weight.toFixed(3)}</span>
              </li>
            ))}
          </ol>
        </div>
      </div>
      <p className="hint">
        Merged from raw senses {senseDetail.raw.join(', ')} (average-linkage on √JS between their word distributions);
        p(sense) = {senseDetail.pSense.toFixed(5)}.
      </p>
    </section>
  );
}
