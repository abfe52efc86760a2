/**
 * The probe's click-through: pick a target word (e.g. *bank*, *plant*) and see its instances
 * coloured by BERT's clusters at the selected layer and α, beside Word2Sense's contextual sense
 * (WordCtx2Sense argmax, the labels the agreement uses) for the same instances, with a
 * cluster × sense count table and each Word2Sense sense's word cloud from the sense explorer.
 * Everything shown comes from the service's result (`detail`); nothing is recomputed here.
 */
import { useEffect, useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { SensesData } from '../../engine/landscape/services/senses';
import { useProbe } from '../../state/probe';
import { useSenses } from '../../state/senses';
import { categoryColor } from '../../viz/palette';
import { SenseCloud } from '../senses/SenseCloud';

type Cell = { layer: number; col: number };

/** The cell shown: the selected one if it exists in this result, else the last layer at the last position. */
function shownCell(r: SensesData, cell: Cell | null): Cell {
  const cols = (r.alphas ?? r.checkpoints ?? []).length;
  if (cell && r.layers.includes(cell.layer) && cell.col >= 0 && cell.col < cols) return cell;
  return { layer: r.layers[r.layers.length - 1], col: Math.max(0, cols - 1) };
}

export function ProbeInstances({ result, where }: { result: SensesData; where(c: Cell): string }) {
  const d = result.detail!;
  const { cell, word, setWord, cards, loadCards } = useProbe(
    useShallow((s) => ({ cell: s.cell, word: s.word, setWord: s.setWord, cards: s.cards, loadCards: s.loadCards })),
  );
  const { lambda, exploreWord } = useSenses(useShallow((s) => ({ lambda: s.lambda, exploreWord: s.exploreWord })));
  const terms = useMemo(() => [...new Set(d.instances.map((i) => i.term))], [d.instances]);
  const at = shownCell(result, cell);
  const labels = d.clusters[result.layers.indexOf(at.layer)]?.[at.col] ?? null;
  const rows = useMemo(
    () => d.instances.map((inst, i) => ({ inst, i })).filter(({ inst }) => inst.term === word),
    [d.instances, word],
  );
  const senses = useMemo(
    () => (d.w2s_merged ? [...new Set(rows.map(({ i }) => d.w2s_merged![i]))].sort((a, b) => a - b) : []),
    [rows, d.w2s_merged],
  );
  useEffect(() => {
    if (senses.length) loadCards(senses.slice(0, 8));
  }, [senses, loadCards]);
  const clusters = labels ? [...new Set(rows.map(({ i }) => labels[i]))].sort((a, b) => a - b) : [];

  return (
    <div className="probe-instances" data-testid="probe-instances-panel">
      <h3>Instances by target word</h3>
      <div className="row" role="group" aria-label="target words">
        {terms.map((t) => (
          <button
            key={t}
            type="button"
            className={t === word ? 'chip active' : 'chip'}
            aria-pressed={t === word}
            onClick={() => setWord(t)}
            data-testid={`probe-word-${t}`}
          >
            {t}
          </button>
        ))}
      </div>
      {!word || rows.length === 0 ? (
        <p className="hint">Click a target word to see its instances.</p>
      ) : (
        <>
          <p className="hint" data-testid="probe-instances-at" data-layer={at.layer} data-col={at.col}>
            {word}: {rows.length} instances; BERT&apos;s {result.clusters} clusters at {where(at)}
            {labels ? '' : ' (not computed yet)'}
            {d.w2s_senses ? ", beside Word2Sense's contextual sense (argmax WordCtx2Sense)" : ''}.
          </p>
          {labels && d.w2s_merged && (
            <table className="values" data-testid="probe-contingency">
              <caption>instances per BERT cluster (rows) and Word2Sense sense (columns)</caption>
              <thead>
                <tr>
                  <th scope="col">cluster</th>
                  {senses.map((s) => (
                    <th key={s} scope="col">
                      #{s}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {clusters.map((c) => (
                  <tr key={c}>
                    <th scope="row" style={{ color: categoryColor(c - 1) }}>
                      c{c}
                    </th>
                    {senses.map((s) => (
                      <td key={s}>{rows.filter(({ i }) => labels[i] === c && d.w2s_merged![i] === s).length || ''}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <table className="values probe-instances-table" data-testid="probe-instances">
            <thead>
              <tr>
                <th scope="col">BERT cluster</th>
                {d.w2s_merged && <th scope="col">Word2Sense sense</th>}
                <th scope="col">context</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ inst, i }) => {
                const c = labels?.[i];
                const s = d.w2s_merged?.[i];
                return (
                  <tr key={inst.id} data-id={inst.id} data-cluster={c ?? ''} data-sense={s ?? ''}>
                    <td>
                      {c === undefined ? (
                        '…'
                      ) : (
                        <span className="probe-swatch" style={{ background: categoryColor(c - 1) }}>
                          c{c}
                        </span>
                      )}
                    </td>
                    {d.w2s_merged && (
                      <td>
                        #{s} {cards[s!]?.words[0]?.word ?? ''}
                      </td>
                    )}
                    <td className="probe-context">
                      …{inst.left.slice(-90)}{' '}
                      <mark style={{ borderColor: c ? categoryColor(c - 1) : undefined }}>{inst.target}</mark>{' '}
                      {inst.right.slice(0, 90)}…
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {senses.length > 0 && (
            <div className="probe-clouds" data-testid="probe-clouds">
              {senses.slice(0, 8).map((s) =>
                cards[s] ? (
                  <SenseCloud
                    key={s}
                    card={cards[s]}
                    lambda={lambda}
                    onWord={(w) => {
                      exploreWord(w);
                      location.hash = `view=senses&word=${encodeURIComponent(w)}`;
                    }}
                    testId={`probe-cloud-${s}`}
                  />
                ) : (
                  <p key={s} className="hint">
                    sense #{s}: loading its words…
                  </p>
                ),
              )}
            </div>
          )}
        </>
      )}
    </div>
  );
}
