import { useId } from 'react';
import { barsOf, bucketLabel, labelled, scaleOf, seriesSummary, yOf, type Frame } from '../../lib/chart.ts';
import { useStore } from '../../store/index.ts';
import { DEFAULT_SERIES_DAYS } from '../../store/stats.ts';

const FRAME: Frame = { width: 640, height: 200, left: 34, bottom: 24, top: 10 };
const PERIODS = [7, 14, 30, 90];

/**
 * Entries and conversions per day of the project's time zone, as a small hand-drawn SVG bar chart. A screen
 * reader hears its summary sentence; the table under it, a click away, has every day's numbers.
 */
export function ConversionChart({ journeyId }: { journeyId: string }) {
  const state = useStore((s) => (s.statsSeries?.journeyId === journeyId ? s.statsSeries : null));
  const loadSeries = useStore((s) => s.loadSeries);
  const id = useId();
  const days = state?.days ?? DEFAULT_SERIES_DAYS;
  const series = state?.series ?? null;
  const buckets = series?.buckets ?? [];
  const scale = scaleOf(Math.max(0, ...buckets.map((b) => Math.max(b.entered, b.goal))));
  const bars = barsOf(buckets, scale, FRAME);
  const shown = labelled(buckets.length);
  const summary = series ? seriesSummary(buckets, series.bucket) : state?.error ? `The numbers could not be read: ${state.error}` : 'Reading the numbers…';
  const hasControl = buckets.some((b) => b.control > 0 || b.controlGoal > 0);

  return (
    <section className="panel stats-card chart-card" aria-labelledby={`${id}-title`}>
      <div className="stats-card-head">
        <h2 id={`${id}-title`}>Conversions over time</h2>
        <label className="chart-period">
          <span>Period</span>
          <select value={days} onChange={(event) => void loadSeries(journeyId, Number(event.target.value))}>
            {PERIODS.map((n) => (
              <option key={n} value={n}>
                Last {n} days
              </option>
            ))}
          </select>
        </label>
      </div>
      <ul className="chart-legend" aria-hidden="true">
        <li>
          <span className="swatch swatch-entered" /> Entered
        </li>
        <li>
          <span className="swatch swatch-goal" /> Converted
        </li>
      </ul>
      <svg className="chart" viewBox={`0 0 ${FRAME.width} ${FRAME.height}`} role="img" aria-labelledby={`${id}-svg-title`} aria-describedby={`${id}-desc`} aria-busy={series ? undefined : true}>
        <title id={`${id}-svg-title`}>Entered and converted per day</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        {scale.ticks.map((t) => (
          <g key={t} className="chart-tick">
            <line x1={FRAME.left} x2={FRAME.width} y1={yOf(t, scale, FRAME)} y2={yOf(t, scale, FRAME)} />
            <text x={FRAME.left - 6} y={yOf(t, scale, FRAME)} dy="0.32em" textAnchor="end">
              {t}
            </text>
          </g>
        ))}
        {bars.map((bar, i) => {
          const b = buckets[i]!;
          const label = bucketLabel(b.start, series!.bucket);
          return (
            <g key={b.start}>
              <title>{`${label}: ${b.entered} entered, ${b.goal} converted`}</title>
              <rect className="bar-entered" x={bar.x} y={bar.entered.y} width={bar.barWidth} height={bar.entered.height} rx="2" />
              <rect className="bar-goal" x={bar.x + bar.barWidth + 2} y={bar.goal.y} width={bar.barWidth} height={bar.goal.height} rx="2" />
              {/* A transparent column, so the day's tooltip shows anywhere over it. */}
              <rect className="bar-hit" x={bar.centre - (FRAME.width - FRAME.left) / buckets.length / 2} y={FRAME.top} width={(FRAME.width - FRAME.left) / buckets.length} height={FRAME.height - FRAME.top - FRAME.bottom} />
              {shown.has(i) && (
                <text className="chart-label" x={bar.centre} y={FRAME.height - 6} textAnchor="middle">
                  {label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <p className="chart-summary" aria-hidden="true">
        {summary}
      </p>
      {series && (
        <details className="chart-table">
          <summary>Show the numbers</summary>
          {/* Focusable: a long period scrolls, and the keyboard must be able to scroll it. */}
          <div className="table-wrap" tabIndex={0} role="region" aria-label="Entered and converted per day">
            <table className="table">
              <caption className="visually-hidden">Entered and converted per day, {series.timezone}</caption>
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col" className="num">
                    Entered
                  </th>
                  <th scope="col" className="num">
                    Converted
                  </th>
                  {hasControl && (
                    <>
                      <th scope="col" className="num">
                        Control
                      </th>
                      <th scope="col" className="num">
                        Control converted
                      </th>
                    </>
                  )}
                </tr>
              </thead>
              <tbody>
                {buckets.map((b) => (
                  <tr key={b.start}>
                    <th scope="row">{bucketLabel(b.start, series.bucket)}</th>
                    <td className="num">{b.entered}</td>
                    <td className="num">{b.goal}</td>
                    {hasControl && (
                      <>
                        <td className="num">{b.control}</td>
                        <td className="num">{b.controlGoal}</td>
                      </>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      )}
    </section>
  );
}
