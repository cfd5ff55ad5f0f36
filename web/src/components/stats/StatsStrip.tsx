import type { Stats } from '../../api/client.ts';
import { kpisOf, type Kpi } from '../../lib/figures.ts';
import { upliftShort } from '../../lib/uplift.ts';

const LOADING: Kpi[] = ['Qualified', 'Entered', 'Control group', 'In journey now', 'Goal met', 'Conversion rate', 'Timed out', 'Completed'].map((label) => ({ label, value: '—', about: '' }));

/** Every per-journey figure in one row, and against the control group when there is one. */
export function StatsStrip({ stats }: { stats: Stats | null }) {
  const kpis = stats ? kpisOf(stats.totals, stats.conversion.target.rate) : LOADING;
  const uplift = stats ? upliftShort(stats.conversion) : null;
  return (
    <section className="kpis stats-strip" aria-label="Journey totals" aria-busy={stats ? undefined : true}>
      {kpis.map((k) => (
        <div className="kpi" key={k.label} title={k.about || undefined}>
          <span className="kpi-label">{k.label}</span>
          <span className="kpi-value">{k.value}</span>
        </div>
      ))}
      {uplift && (
        <div className={`kpi kpi-uplift tone-${uplift.tone}`} title="Conversion rate minus the control group’s, in percentage points, and the z-test’s verdict">
          <span className="kpi-label">Against control</span>
          <span className="kpi-value">{uplift.value}</span>
          <span className="kpi-hint">{uplift.verdict}</span>
        </div>
      )}
    </section>
  );
}
