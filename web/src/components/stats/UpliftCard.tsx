import { useId } from 'react';
import type { Stats } from '../../api/client.ts';
import { formatRate } from '../../lib/format.ts';
import { upliftWords } from '../../lib/uplift.ts';

/**
 * The journey against its control group: the gap in conversion in points and the two-proportion z-test's
 * verdict in words, the two rates side by side, and z and p for those who want them.
 */
export function UpliftCard({ stats }: { stats: Stats | null }) {
  const id = useId();
  if (!stats) return <section className="panel stats-card uplift-card skeleton" aria-busy="true" aria-label="Against the control group" />;
  const c = stats.conversion;
  const words = upliftWords(c);
  const rates = [
    { label: 'Journey', rate: c.target.rate, tone: 'target' },
    { label: 'Control group', rate: c.control.rate, tone: 'control' },
  ];
  return (
    <section className={`panel stats-card uplift-card tone-${words.tone}`} aria-labelledby={`${id}-title`}>
      <div className="stats-card-head">
        <h2 id={`${id}-title`}>Against the control group</h2>
      </div>
      <p className="uplift-headline">{words.headline}</p>
      {c.control.users > 0 && (
        <div className="uplift-bars" aria-hidden="true">
          {rates.map((r) => (
            <div key={r.label} className={`uplift-bar bar-${r.tone}`}>
              <span className="uplift-bar-label">{r.label}</span>
              <span className="uplift-bar-track">
                <span className="uplift-bar-fill" style={{ width: `${Math.min(100, (r.rate ?? 0) * 100)}%` }} />
              </span>
              <span className="uplift-bar-value">{formatRate(r.rate)}</span>
            </div>
          ))}
        </div>
      )}
      <p className="uplift-detail">{words.detail}</p>
      {c.significance && (
        <p className="uplift-test">
          Two-proportion z-test: z = {c.significance.z.toFixed(2)}, p = {c.significance.pValue}
          {c.significance.significant ? ' (below 0.05)' : ' (0.05 or above)'}
        </p>
      )}
    </section>
  );
}
