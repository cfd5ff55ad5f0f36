import { useEffect, useState } from 'react';
import { Canvas } from '../components/Canvas.tsx';
import { JourneyActions } from '../components/JourneyActions.tsx';
import { JourneySettings } from '../components/JourneySettings.tsx';
import { NodePanel } from '../components/NodePanel.tsx';
import { NoticeBar } from '../components/NoticeBar.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { formatCount, formatRate } from '../lib/format.ts';
import { figuresOf } from '../lib/figures.ts';
import { useStore } from '../store/index.ts';

const REFRESH_MS = 15_000;

export function JourneyPage({ id }: { id: string }) {
  const open = useStore((s) => (s.open?.journey.id === id ? s.open : null));
  const error = useStore((s) => s.openError);
  const registry = useStore((s) => s.registry);
  const navigate = useStore((s) => s.navigate);
  const loadJourney = useStore((s) => s.loadJourney);
  const [selected, setSelected] = useState<string | null>(null);
  const [settingsOpen, setSettingsOpen] = useState(false);

  useEffect(() => {
    const timer = window.setInterval(() => void loadJourney(id), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [id, loadJourney]);
  useEffect(() => {
    document.title = `${open?.journey.name ?? id} · Waymark`;
  }, [open?.journey.name, id]);

  const back = (
    <a
      className="back"
      href="/journeys"
      onClick={(event) => {
        event.preventDefault();
        navigate({ page: 'journeys' });
      }}
    >
      ← All journeys
    </a>
  );

  if (!open) {
    return (
      <main className="page">
        {back}
        {error ? (
          <p className="notice notice-error" role="alert">
            {error}
          </p>
        ) : (
          <div className="panel skeleton" aria-busy="true" aria-label="Loading the journey" />
        )}
      </main>
    );
  }

  const { journey, stats } = open;
  const f = figuresOf(stats);
  const description = (journey.draft as { description?: string }).description;
  const kpis = [
    { label: 'Entered', value: formatCount(f.entered) },
    { label: 'In journey now', value: formatCount(f.inJourney) },
    { label: 'Converted', value: formatCount(f.converted) },
    { label: 'Conversion rate', value: formatRate(f.rate) },
    ...(f.controlRate !== null ? [{ label: 'Control group', value: formatRate(f.controlRate) }] : []),
  ];

  return (
    <main className="page page-wide">
      {back}
      <div className="page-head">
        <div>
          <div className="title-row">
            <h1>{journey.name}</h1>
            <StatusBadge status={journey.status} />
            <span className="version">{journey.version === null ? 'never published' : `v${journey.version}`}</span>
          </div>
          {description && <p className="muted description">{description}</p>}
        </div>
        <div className="actions">
          <button type="button" className="button" onClick={() => setSettingsOpen(true)}>Settings</button>
          <JourneyActions journey={journey} />
        </div>
      </div>
      <NoticeBar />
      <section className="kpis" aria-label="Journey totals">
        {kpis.map((k) => (
          <div className="kpi" key={k.label}>
            <span className="kpi-label">{k.label}</span>
            <span className="kpi-value">{k.value}</span>
          </div>
        ))}
      </section>
      <div className="workspace">
        <Canvas journey={journey} stats={stats} registry={registry} onSelect={setSelected} />
        {selected && <NodePanel journey={journey} stats={stats} registry={registry} nodeId={selected} onClose={() => setSelected(null)} />}
      </div>
      {settingsOpen && <JourneySettings journey={journey} onClose={() => setSettingsOpen(false)} />}
    </main>
  );
}
