/**
 * One sense as a word cloud (d3-cloud layout, rendered by viz's SVG renderer — the same string the
 * SVG export downloads). Clicking a word explores it; words are also reachable as buttons below.
 */
import { useEffect, useState } from 'react';
import type { SenseCard } from '../../workers/contracts/senses';
import { layoutCloud, renderCloudSvg } from '../../viz/cloud';
import { ExportBar } from '../shared/ExportBar';

export function SenseCloud({
  card,
  lambda,
  onWord,
  onSense,
  testId,
}: {
  card: SenseCard;
  lambda: number;
  onWord(word: string): void;
  onSense?(sense: number): void;
  testId?: string;
}) {
  const [svg, setSvg] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const words = card.words
      .slice(0, 40)
      .map((w) => ({ text: w.word, weight: Math.exp(w.relevance - card.words[0].relevance) }));
    void layoutCloud(words, { seed: card.sense + 1 }).then((placed) => {
      if (!live) return;
      setSvg(
        renderCloudSvg(placed, {
          title: `Sense ${card.label}`,
          subtitle: `top words by relevance, λ = ${lambda.toFixed(2)}; p(sense) = ${card.pSense.toFixed(4)}`,
          colorIndex: card.sense,
          metadata: {
            sense: card.sense,
            lambda,
            words: card.words.map((w) => ({ word: w.word, p: w.p, relevance: w.relevance })),
          },
        }).svg,
      );
    });
    return () => {
      live = false;
    };
  }, [card, lambda]);
  return (
    <figure className="cloud-card" data-testid={testId} data-sense={card.sense}>
      {svg ? (
        <div
          className="figure cloud-figure"
          onClick={(e) => {
            const t = (e.target as Element).closest('text.cloud-word');
            if (t?.textContent) onWord(t.textContent);
          }}
          dangerouslySetInnerHTML={{ __html: svg }}
        />
      ) : (
        <p className="hint">laying out…</p>
      )}
      <figcaption>
        {onSense ? (
          <button type="button" className="link" onClick={() => onSense(card.sense)}>
            {card.label}
          </button>
        ) : (
          card.label
        )}{' '}
        <span className="hint">
          {card.words.slice(0, 8).map((w, k) => (
            <button
              key={w.word}
              type="button"
              className="chip"
              onClick={() => onWord(w.word)}
              aria-label={`explore ${w.word}`}
            >
              {w.word}
              {k < 7 ? '' : ''}
            </button>
          ))}
        </span>
        <ExportBar svg={svg} baseName={`sense-${card.sense}-cloud`} data={[]} />
      </figcaption>
    </figure>
  );
}
