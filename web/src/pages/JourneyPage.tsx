import { ReactFlowProvider } from '@xyflow/react';
import { useEffect, useState } from 'react';
import type { Journey, Stats } from '../api/client.ts';
import { Canvas } from '../components/Canvas.tsx';
import { useCanvasActions } from '../components/canvas/actions.ts';
import { EditorBar } from '../components/canvas/EditorBar.tsx';
import { Palette } from '../components/canvas/Palette.tsx';
import { UnsavedCopy } from '../components/canvas/UnsavedCopy.tsx';
import { JourneyActions } from '../components/JourneyActions.tsx';
import { JourneySettings } from '../components/JourneySettings.tsx';
import { NodePanel } from '../components/NodePanel.tsx';
import { NoticeBar } from '../components/NoticeBar.tsx';
import { JourneyStats } from '../components/stats/JourneyStats.tsx';
import { useLiveStats } from '../components/stats/useLiveStats.ts';
import { StatusBadge } from '../components/StatusBadge.tsx';
import type { DefinitionLike } from '../lib/graph.ts';
import { layoutOf } from '../lib/layout.ts';
import { can } from '../lib/roles.ts';
import { useStore } from '../store/index.ts';
import { useTitle } from '../components/useTitle.ts';

const REFRESH_MS = 15_000;

export function JourneyPage({ id }: { id: string }) {
  const open = useStore((s) => (s.open?.journey.id === id ? s.open : null));
  const error = useStore((s) => s.openError);
  const navigate = useStore((s) => s.navigate);
  const loadJourney = useStore((s) => s.loadJourney);
  const openEditor = useStore((s) => s.openEditor);
  const editing = useStore((s) => s.editor?.journeyId === id);
  const stats = useLiveStats(id, open?.stats ?? null);
  const canEdit = useStore((s) => can(s.role, 'edit'));

  useEffect(() => {
    const timer = window.setInterval(() => void loadJourney(id), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [id, loadJourney]);
  useTitle(open?.journey.name ?? id);
  // The editor starts from the server's draft, laid out when it has no layout of its own (that layout is
  // what "saved" means until the user moves something); it keeps its copy across the 15-second refreshes.
  const journey = open?.journey;
  useEffect(() => {
    if (!journey || useStore.getState().editor?.journeyId === journey.id) return;
    openEditor({ ...journey, layout: layoutOf(journey.draft as unknown as DefinitionLike, journey.layout) });
  }, [journey, openEditor]);

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

  if (!open || !editing) {
    return (
      <main className="page">
        {back}
        {error ? (
          <p className="notice notice-error" role="alert">
            {error}
          </p>
        ) : (
          <div className="panel skeleton" role="status" aria-busy="true" aria-label="Loading the journey" />
        )}
      </main>
    );
  }

  const description = (open.journey.draft as { description?: string }).description;

  return (
    <main className="page page-wide">
      {back}
      <div className="page-head">
        <div>
          <div className="title-row">
            <h1>{open.journey.name}</h1>
            <StatusBadge status={open.journey.status} />
            <span className="version">{open.journey.version === null ? 'never published' : `v${open.journey.version}`}</span>
          </div>
          {description && <p className="muted description">{description}</p>}
        </div>
        <JourneyActions journey={open.journey} />
      </div>
      <NoticeBar />
      <JourneyStats journeyId={id} stats={stats} />
      {/* A viewer makes no changes, so has none to keep or restore. */}
      {canEdit && <UnsavedCopy journeyId={id} />}
      <ReactFlowProvider key={id}>
        <JourneyEditor journey={open.journey} stats={stats} />
      </ReactFlowProvider>
    </main>
  );
}

/**
 * The editing area: the bar (history, save, problems, and the journey settings' button), the palette, the
 * canvas, and beside it the side panel of the selected node.
 */
function JourneyEditor({ journey, stats }: { journey: Journey; stats: Stats | null }) {
  const registry = useStore((s) => s.registry);
  const selected = useStore((s) => (s.editor?.selection.length === 1 ? s.editor.selection[0]! : null));
  const select = useStore((s) => s.select);
  const actions = useCanvasActions();
  // A stopped journey is only read, and so is every journey for a role that cannot edit (a viewer).
  const canEdit = useStore((s) => can(s.role, 'edit'));
  const readOnly = journey.status === 'stopped' || !canEdit;
  const [settingsOpen, setSettingsOpen] = useState(false);
  const settings = (
    <button type="button" className="button small" onClick={() => setSettingsOpen(true)}>
      Settings
    </button>
  );
  return (
    <div className="editor">
      {/* The journey settings' button goes in `settings`. */}
      <EditorBar actions={actions} readOnly={readOnly} settings={settings} />
      {settingsOpen && <JourneySettings journey={journey} readOnly={readOnly} onClose={() => setSettingsOpen(false)} />}
      <div className="workspace">
        {!readOnly && <Palette actions={actions} />}
        <Canvas name={journey.name} stats={stats} registry={registry} readOnly={readOnly} />
        {/* The side panel of the selected node. */}
        {selected && (
          <div className="editor-side">
            <NodePanel journey={journey} stats={stats} registry={registry} nodeId={selected} readOnly={readOnly} onClose={() => select([])} />
          </div>
        )}
      </div>
    </div>
  );
}
