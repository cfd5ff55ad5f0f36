import { formatAgo, formatCount, formatRate } from '../lib/format.ts';
import { figuresOf } from '../lib/figures.ts';
import { useStore, type JourneyRow } from '../store/index.ts';
import { JourneyActions } from './JourneyActions.tsx';
import { StatusBadge } from './StatusBadge.tsx';

export function JourneyTable({ rows }: { rows: JourneyRow[] }) {
  const navigate = useStore((s) => s.navigate);
  const now = Date.now();
  return (
    <div className="panel table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Journey</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Version
            </th>
            <th scope="col" className="num">
              Entered
            </th>
            <th scope="col" className="num">
              In journey now
            </th>
            <th scope="col" className="num">
              Converted
            </th>
            <th scope="col" className="num">
              Conversion
            </th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ journey, stats }) => {
            const f = figuresOf(stats);
            return (
              <tr key={journey.id}>
                <td>
                  <a
                    className="journey-link"
                    href={`/journeys/${encodeURIComponent(journey.id)}`}
                    onClick={(event) => {
                      event.preventDefault();
                      navigate({ page: 'journey', id: journey.id });
                    }}
                  >
                    {journey.name}
                  </a>
                  <div className="sub">
                    <code>{journey.id}</code> · updated {formatAgo(journey.updatedAt, now)}
                  </div>
                </td>
                <td>
                  <StatusBadge status={journey.status} />
                </td>
                <td className="num">{journey.version === null ? '—' : `v${journey.version}`}</td>
                <td className="num">{formatCount(f.entered)}</td>
                <td className="num" title={f.inJourney === null ? 'This server does not report it yet' : undefined}>
                  {formatCount(f.inJourney)}
                </td>
                <td className="num">{formatCount(f.converted)}</td>
                <td className="num strong">{formatRate(f.rate)}</td>
                <td className="row-actions">
                  <JourneyActions journey={journey} compact />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
