import type { Journey, Stats } from '../api/client.ts';
import { formatCount } from '../lib/format.ts';
import type { DefinitionLike } from '../lib/graph.ts';
import { kindLabel, type Registry } from '../lib/meta.ts';

/** The selected node: its kind's description, its counts and its settings as stored. */
export function NodeDetails({ journey, stats, registry, nodeId, onClose }: { journey: Journey; stats: Stats | null; registry: Registry | null; nodeId: string; onClose: () => void }) {
  const definition = journey.draft as unknown as DefinitionLike;
  const node = definition.nodes.find((n) => n.id === nodeId);
  if (!node) return null;
  const meta = registry?.nodes.find((n) => n.kind === node.kind);
  const counts = stats?.nodes.find((n) => n.nodeId === nodeId);
  const { id: _id, kind: _kind, ...settings } = node;
  return (
    <aside className="details" aria-labelledby="details-title">
      <div className="details-head">
        <div>
          <div className="eyebrow">{kindLabel(node.kind, registry)}</div>
          <h2 id="details-title">{node.id}</h2>
        </div>
        <button type="button" className="button ghost small" onClick={onClose} aria-label="Close details">
          ×
        </button>
      </div>
      {meta?.description && <p className="muted">{meta.description}</p>}
      {counts && (
        <dl className="details-stats">
          {(['entered', 'sent', 'failed', 'skipped', 'goal'] as const).map((k) => (
            <div key={k}>
              <dt>{k === 'goal' ? 'converted here' : k}</dt>
              <dd>{formatCount(counts[k])}</dd>
            </div>
          ))}
        </dl>
      )}
      {Object.keys(settings).length > 0 && (
        <>
          <h3>Settings</h3>
          <pre className="details-json">{JSON.stringify(settings, null, 2)}</pre>
        </>
      )}
    </aside>
  );
}
